"""Reading a report's period and municipality from a query string, with messages a person can act on.

A query that names neither end of the period gets the default period: the whole current calendar year (1.1.–31.12.,
Helsinki), so whatever is held or recorded later this year (a forum next month, sessions logged ahead) is in the
default report instead of falling after an end of "today". A query that names one end only is refused with a
message for the missing one, as before: half a period is more likely a mistake than a wish for the default.

`QueryErrors` is re-exported here: it is what `parse_report_query` raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from koonto.reporting.domain.errors import QueryErrors
from koonto.shared.clock import ISO_DAY
from koonto.shared.region import Region

__all__ = ["QueryErrors", "ReportQuery", "default_period", "parse_report_query"]

MAX_DAYS = 366 * 10


@dataclass(frozen=True)
class ReportQuery:
    first: date
    last: date
    municipality: str | None


def default_period(today: date) -> tuple[date, date]:
    """The period a report shows when none is asked for: the calendar year of `today` (a Helsinki day)."""
    return date(today.year, 1, 1), date(today.year, 12, 31)


def _blank(raw: str | None) -> bool:
    return raw is None or not raw.strip()


def _parse_day(raw: str | None, field: str, label: str, errors: dict[str, str]) -> date | None:
    if raw is None or not raw.strip():
        errors[field] = f"Anna {label} ({field}) muodossa VVVV-KK-PP, esimerkiksi 2026-01-31."
        return None
    text = raw.strip()
    try:
        if not ISO_DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = f"{label.capitalize()} ({field}) ei ole päivämäärä muodossa VVVV-KK-PP, esimerkiksi 2026-01-31."
        return None


def parse_report_query(
    region: Region, raw_from: str | None, raw_to: str | None, raw_municipality: str | None,
    *, today: date | None = None,
) -> ReportQuery:
    """The query, or `QueryErrors`. With `today` given, no `from` and no `to` mean `default_period(today)`."""
    if today is not None and _blank(raw_from) and _blank(raw_to):
        first_default, last_default = default_period(today)
        raw_from, raw_to = first_default.isoformat(), last_default.isoformat()
    errors: dict[str, str] = {}
    first = _parse_day(raw_from, "from", "alkupäivä", errors)
    last = _parse_day(raw_to, "to", "loppupäivä", errors)
    municipality = (raw_municipality or "").strip() or None
    if municipality is not None and region.municipality(municipality) is None:
        errors["municipality"] = (
            f"Tuntematon kunta (municipality): käytä jotakin alueen {len(region.municipalities)} kunnan koodeista, "
            f"esimerkiksi {region.municipalities[0].code}."
        )
    if first and last and first > last:
        errors["to"] = "Loppupäivä (to) on ennen alkupäivää (from): valitse loppupäiväksi sama tai myöhempi päivä."
    elif first and last and (last - first).days > MAX_DAYS:
        errors["to"] = "Raportointikausi voi olla enintään kymmenen vuotta: valitse lyhyempi kausi."
    if errors:
        raise QueryErrors(errors)
    assert first is not None and last is not None
    return ReportQuery(first, last, municipality)
