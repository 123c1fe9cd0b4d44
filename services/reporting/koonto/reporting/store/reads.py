"""The reading side of `ReadModels`: the rows a report sums, the case facts and the showcase's cases.

Split from `read_models` along its seam: everything here only reads (what a report reads, and why it reads
whole months from the roll-ups, is written in `read_models` and `domain.periods`).
"""

from __future__ import annotations

from datetime import date

from koonto.reporting.domain.model import SHOWCASE_STAGES, STAGES
from koonto.reporting.domain.periods import Cover, cover
from koonto.reporting.domain.recount import FUNNEL_BY_DAY, FUNNEL_BY_MONTH, funnel_key
from koonto.shared.mongo import Collection, Document

VALUE_FIELDS = (
    "n", "minutes", "eur_applied", "eur_granted", "participants", "women", "men", "other", "not_told", "sent",
    "failed",
)
ROW_FIELDS: dict[str, int] = {"_id": 0, "metric": 1, "day": 1, "municipality": 1, "key": 1,
                              **dict.fromkeys(VALUE_FIELDS, 1)}


def with_reached(case: Document) -> Document:
    """Stage times are kept flat (`reached_<stage>`; nested paths behave differently across the stores) and
    handed out as one `reached` mapping."""
    case["reached"] = {stage: case[f"reached_{stage}"] for stage in STAGES if case.get(f"reached_{stage}")}
    return case


async def _covered(monthly: Collection, daily: Collection, c: Cover, municipality: str | None) -> list[Document]:
    """The rows a period's cover reads: whole months from `monthly`, the days from `daily`."""
    rows: list[Document] = []
    base: Document = {} if municipality is None else {"municipality": municipality}
    if c.months_upto is not None:
        rows += [r async for r in monthly.find({**base, "day": {"$lte": c.months_upto}}, ROW_FIELDS)]
    for a, b in c.day_queries():
        rows += [r async for r in daily.find({**base, "day": {"$gte": a, "$lte": b}}, ROW_FIELDS)]
    return rows


class Reads:
    """Mixed into `ReadModels`, which provides the collections and the generation's flags."""

    rollups: bool
    has_recounts: bool
    counters: Collection
    monthly: Collection
    funnel: Collection
    funnel_monthly: Collection
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
        months from the roll-ups, the edge days from the daily counters (see `domain.periods`). The per-organisation
        `advised` counters (kept apart in a generation with recounts) only when `advised` is asked for."""
        if not self.rollups:
            upto = await self.counter_rows(last_day=last.isoformat(), municipality=municipality, advised=advised)
            return [r for r in upto if str(r.get("day")) >= first.isoformat()], upto
        c = cover(first, last)
        rows = await _covered(self.monthly, self.counters, c, municipality)
        if advised and self.has_recounts:
            rows += await _covered(self.advised_monthly, self.advised_daily, c, municipality)
        return ([r for r in rows if c.in_period(str(r.get("day")))],
                [r for r in rows if c.up_to_last(str(r.get("day")))])


    async def funnel_rows(self, first: date, last: date, municipality: str | None) -> list[Document]:
        """The funnel counters of the ideas received in [first, last] whose stage was reached by `last`, as far
        as a query can tell (`domain.recount.funnel_reached` picks the exact ones): whole idea months from the
        roll-ups and the edge idea days from the daily counters; of them, the stage months up to the month
        before `last`'s (or `last`'s own when it ends the month) and the stage days of `last`'s month."""
        c = cover(first, last)
        base: Document = {} if municipality is None else {"municipality": municipality}
        keys: list[tuple[str, Document]] = []
        if c.months_upto is not None:
            keys.append((FUNNEL_BY_MONTH, {"$lte": funnel_key(c.months_upto, "~")}))
        if c.days_upto is not None:
            keys.append((FUNNEL_BY_DAY, {"$gte": funnel_key(c.days_upto[0]), "$lte": funnel_key(c.days_upto[1], "~")}))
        ranges: list[tuple[Collection, Document]] = [(self.funnel, {"$gte": a, "$lte": b}) for a, b in c.days]
        if c.months is not None:
            ranges.append((self.funnel_monthly, {"$gte": c.months[0], "$lte": c.months[1]}))
        rows: list[Document] = []
        for collection, days in ranges:
            for metric, key in keys:
                query = {**base, "metric": metric, "day": days, "key": key}
                rows += [r async for r in collection.find(query, ROW_FIELDS)]
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
