"""The reading side of `ReadModels`: the rows a report sums, the case facts and the showcase's cases.

Split from `read_models` along its seam: everything here only reads (what a report reads, and why it reads
whole months from the roll-ups, is written in `read_models` and `domain.periods`).
"""

from __future__ import annotations

from datetime import date

from koonto.reporting.domain.model import SHOWCASE_STAGES, STAGES
from koonto.reporting.domain.periods import Cover, cover, unpack
from koonto.reporting.domain.recount import FUNNEL_BY_DAY, FUNNEL_BY_MONTH, funnel_key
from koonto.shared.mongo import Collection, Document

VALUE_FIELDS = (
    "n", "minutes", "eur_applied", "eur_granted", "participants", "women", "men", "other", "not_told", "sent",
    "failed",
)
ROW_FIELDS: dict[str, int] = {"_id": 0, "metric": 1, "day": 1, "municipality": 1, "key": 1,
                              **dict.fromkeys(VALUE_FIELDS, 1)}
VALUES = frozenset(VALUE_FIELDS)


def with_reached(case: Document) -> Document:
    """Stage times are kept flat (`reached_<stage>`; nested paths behave differently across the stores) and
    handed out as one `reached` mapping."""
    case["reached"] = {stage: case[f"reached_{stage}"] for stage in STAGES if case.get(f"reached_{stage}")}
    return case


def _between(a: str, b: str) -> Document:
    return {"$lte": b} if not a else {"$gte": a, "$lte": b}


async def _covered(
    monthly: Collection, daily: Collection, c: Cover, municipality: str | None, yearly: Collection | None = None
) -> list[Document]:
    """The rows a period's cover reads: whole years from `yearly` (its documents unpacked into rows, when the
    cover has years), whole months from `monthly`, the days from `daily`."""
    rows: list[Document] = []
    base: Document = {} if municipality is None else {"municipality": municipality}
    if yearly is not None and c.years_upto is not None:
        rows += [r async for doc in yearly.find({**base, "day": {"$lte": c.years_upto}}) for r in unpack(doc, VALUES)]
    for a, b in c.month_queries():
        rows += [r async for r in monthly.find({**base, "day": _between(a, b)}, ROW_FIELDS)]
    for a, b in c.day_queries():
        rows += [r async for r in daily.find({**base, "day": {"$gte": a, "$lte": b}}, ROW_FIELDS)]
    return rows


class Reads:
    """Mixed into `ReadModels`, which provides the collections and the generation's flags."""

    rollups: bool
    yearly: bool
    has_recounts: bool
    counters: Collection
    monthly: Collection
    years: Collection
    funnel: Collection
    funnel_monthly: Collection
    funnel_years: Collection
    advised_daily: Collection
    advised_monthly: Collection
    cases: Collection

    async def counter_rows(
        self, *, last_day: str, municipality: str | None, advised: bool = True
    ) -> list[Document]:
        """Every counter up to `last_day` (of one municipality, or all), values only: a report reads them once
        and sums in Python, rather than scanning the counters once per figure (the embedded stores scan the
        collection for each query)."""
        match: Document = {"day": {"$lte": last_day}}
        if municipality is not None:
            match["municipality"] = municipality
        collections = [self.counters, *([self.advised_daily] if advised and self.has_recounts else [])]
        return [row for collection in collections async for row in collection.find(match, ROW_FIELDS)]

    async def report_rows(
        self, first: date, last: date, municipality: str | None, *, advised: bool = False
    ) -> tuple[list[Document], list[Document]]:
        """The counters of the period [first, last] and those of everything up to `last`, values only: whole
        years from the year documents (a generation that has them), whole months from the roll-ups, the edge days
        from the daily counters (see `domain.periods`). The per-organisation `advised` counters (kept apart in a
        generation with recounts, and without year documents) only when `advised` is asked for."""
        if not self.rollups:
            upto = await self.counter_rows(last_day=last.isoformat(), municipality=municipality, advised=advised)
            return [r for r in upto if str(r.get("day")) >= first.isoformat()], upto
        c = cover(first, last, years=self.yearly)
        read = [(c, await _covered(self.monthly, self.counters, c, municipality,
                                   self.years if self.yearly else None))]
        if advised and self.has_recounts:
            by_month = cover(first, last)
            read.append((by_month, await _covered(self.advised_monthly, self.advised_daily, by_month, municipality)))
        return ([r for one, rows in read for r in rows if one.in_period(str(r.get("day")))],
                [r for one, rows in read for r in rows if one.up_to_last(str(r.get("day")))])


    async def funnel_rows(self, first: date, last: date, municipality: str | None) -> list[Document]:
        """The funnel counters of the ideas received in [first, last] whose stage was reached by `last`, as far
        as a query can tell (`domain.recount.funnel_reached` picks the exact ones): whole idea months from the
        roll-ups (whole idea years from the year documents, every key of them) and the edge idea days from the
        daily counters; of them, the stage months up to the month before `last`'s (or `last`'s own when it ends
        the month) and the stage days of `last`'s month."""
        c = cover(first, last, years=self.yearly)
        base: Document = {} if municipality is None else {"municipality": municipality}
        queries: list[tuple[str, Document, Cover]] = []
        if c.months_upto is not None:
            queries.append((FUNNEL_BY_MONTH, {"$lte": funnel_key(c.months_upto, "~")}, c))
        if c.days_upto is not None:  # the stage days have no year documents: their idea months are read
            queries.append((FUNNEL_BY_DAY, {"$gte": funnel_key(c.days_upto[0]),
                                            "$lte": funnel_key(c.days_upto[1], "~")}, cover(first, last)))
        rows: list[Document] = []
        for metric, key, one in queries:
            ranges = [(self.funnel, {"$gte": a, "$lte": b}) for a, b in one.days]
            ranges += [(self.funnel_monthly, {"$gte": a, "$lte": b}) for a, b in one.months]
            for collection, days in ranges:
                query = {**base, "metric": metric, "day": days, "key": key}
                rows += [r async for r in collection.find(query, ROW_FIELDS)]
            if one.years is not None:  # every key of the year documents: `funnel_reached` picks the stage dates
                query = {**base, "metric": metric, "day": {"$gte": one.years[0], "$lte": one.years[1]}}
                rows += [r async for doc in self.funnel_years.find(query) for r in unpack(doc, VALUES)]
        return rows

    async def all_time_rows(self, municipality: str | None) -> list[Document]:
        """Every counter's values over all time (the month roll-ups, when the generation has them)."""
        query: Document = {} if municipality is None else {"municipality": municipality}
        collections = [self.monthly, self.advised_monthly] if self.rollups else [self.counters, self.advised_daily]
        collections = collections if self.has_recounts else collections[:1]
        return [r for collection in collections async for r in collection.find(query, ROW_FIELDS)]

    async def case_facts(self, municipality: str | None) -> list[Document]:
        query: Document = {} if municipality is None else {"municipality": municipality}
        projection = {"municipality": 1, "idea_at": 1, "first_contact_at": 1, "stage": 1,
                      **{f"reached_{stage}": 1 for stage in STAGES}}
        return [with_reached(d) async for d in self.cases.find(query, projection).sort("_id", 1)]

    async def showcase_cases(self, municipality: str | None, theme: str | None) -> list[Document]:
        """Consenting, funded cases; the finer conditions are checked here, as the stores differ on `$ne`/`$in`."""
        query: Document = {"publication": True}
        if municipality:
            query["municipality"] = municipality
        found = []
        async for case in self.cases.find(query):
            if case.get("erased") or case.get("stage") not in SHOWCASE_STAGES or not case.get("reached_funded"):
                continue
            if theme and theme not in (case.get("themes") or []):
                continue
            found.append(with_reached(case))
        return sorted(found, key=lambda c: (c.get("reached_funded") or "", c["_id"]), reverse=True)
