"""Which regions the work under way may see: the signed-in staff member's (`StaffPrincipal.regions_with` of the
roles the route asks for), or every region (a consumed event, a scheduled job, start-up: no staff scope).

The web layer's staff dependencies (`web/deps.py`) set it for the request; the repository (`store.py`) applies
it to every read of cases, people, messages, calls, trainings, advice times, bookings and follow-ups: a list
leaves out another region's items, a read by id answers None (the pages and the API then say 404, never 403: an
item of another region is not revealed to exist). A document without a region field (written before regions)
belongs to the home region, never to every region. It is a context variable like the current region
(`koonto.shared.region.using_region`), so no read path passes it around and none can forget it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from koonto.shared.mongo import Document
from koonto.shared.region import Regions

_staff_regions: ContextVar[frozenset[str] | None] = ContextVar("koonto_advisory_staff_regions", default=None)


def staff_regions() -> frozenset[str] | None:
    """The regions the signed-in staff member works in (None: every region)."""
    return _staff_regions.get()


def limit_to(regions: frozenset[str] | None) -> None:
    """Limits the rest of this request's reads to `regions` (set by the staff dependencies; the advisory app's
    `ScopeReset` middleware starts every request without one)."""
    _staff_regions.set(regions)


@contextmanager
def scoped(regions: frozenset[str] | None) -> Iterator[None]:
    token = _staff_regions.set(regions)
    try:
        yield
    finally:
        _staff_regions.reset(token)


class ScopeReset:
    """ASGI middleware: every request starts with no staff scope, and leaves none behind (an in-process test
    client runs requests in the test's own context)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        with scoped(None):
            await self.app(scope, receive, send)


class RegionScope:
    """The staff scope applied to the stored documents of a deployment's regions."""

    def __init__(self, regions: Regions | None) -> None:
        self.codes: tuple[str, ...] = regions.codes if regions is not None else ()
        self.home = regions.home.code if regions is not None else ""

    def region_of(self, doc: Document) -> str:
        return str(doc.get("region") or self.home)

    def visible(self, doc: Document | None) -> Any:
        """`doc` when the staff member may see it, else None (another region's item is not found)."""
        if doc is None:
            return None
        allowed = staff_regions()
        return doc if allowed is None or self.region_of(doc) in allowed else None

    def allows(self, code: str) -> bool:
        allowed = staff_regions()
        return allowed is None or code in allowed

    def query(self) -> dict[str, Any]:
        """The condition a list adds: none when the staff member sees every region this deployment serves (every
        account of a single-region deployment), else the region among theirs (a missing one being the home's)."""
        allowed = staff_regions()
        if allowed is None or allowed >= set(self.codes):
            return {}
        codes: list[Any] = sorted(allowed & set(self.codes))
        if self.home in allowed:
            codes.append(None)  # documents from before regions: the home region's
        return {"region": {"$in": codes}}

    def mine(self) -> tuple[str, ...]:
        """The served regions the staff member works in, home first (every one outside a staff request)."""
        allowed = staff_regions()
        return tuple(code for code in self.codes if allowed is None or code in allowed)

