"""Which regions a report is of: the `region` parameter read against the regions served and the account's.

No `region`: the current region (the request's host name or path prefix) when the account may see it, else the
first of the account's. `region=all`: every region the account may see, summed (national totals when it may see
all of them). One or several codes (`region=a&region=b` or `region=a,b`): those, summed; a code the deployment
does not serve is `RegionNotServed` (404), one outside the account's roles `RegionNotAllowed` (403).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from koonto.reporting.domain.errors import RegionNotAllowed, RegionNotServed
from koonto.reporting.domain.model import region_of, unscoped

ALL_REGIONS = "all"


def visible_regions(served: Iterable[str], allowed: frozenset[str] | None) -> tuple[str, ...]:
    """The regions served that the account may report on (`allowed` None: every one), in the served order."""
    return tuple(code for code in served if allowed is None or code in allowed)


def choose_regions(
    raw: Iterable[str] | None, *, served: tuple[str, ...], allowed: frozenset[str] | None, current: str
) -> tuple[str, ...]:
    visible = visible_regions(served, allowed)
    asked = [part.strip() for value in raw or () for part in value.split(",") if part.strip()]
    if not asked:
        if current in visible:
            return (current,)
        if not visible:
            raise RegionNotAllowed(current, visible)
        return visible[:1]
    if ALL_REGIONS in asked:
        if not visible:
            raise RegionNotAllowed(current, visible)
        return visible
    for code in asked:
        if code not in served:
            raise RegionNotServed(code, served)
        if code not in visible:
            raise RegionNotAllowed(code, visible)
    return tuple(code for code in served if code in asked)


def rows_of_regions(
    rows: Iterable[Mapping[str, Any]], regions: frozenset[str], home: str, served: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """The read-model rows (counters, cases) of `regions`, with plain municipality codes (`model.scoped`): a key
    without a region (or, with `served`, naming none of them) is the home region's. Copies: one row may be read
    into two lists (a period and up to its end)."""
    kept = []
    for row in rows:
        key = row.get("municipality")
        named = region_of(str(key or ""))
        if named is not None and served is not None and named not in served:
            named = None
        if (named or home) in regions:
            plain = unscoped(str(key)) if named else key
            kept.append(dict(row) if key is None else {**row, "municipality": plain})
    return kept
