"""The read models of one generation as some of the deployment's regions see them.

An event of a region other than the home region writes keys that carry its region (`domain.model.scoped`:
`167@pohjois-karjala`, `_region@pohjois-karjala`); the home region's keys are as they were before regions, so
data written before them is the home region's. `RegionalReadModels` reads the same counters and cases as
`ReadModels`, keeps the rows of the regions asked for and hands them out with plain municipality codes, so the
report, the showcase and the open data are built exactly as for one region. Several regions at once give their
sums (national totals): municipality codes are disjoint between region files, and each region's region-wide
counters (`_region`) add up.

The rows are kept or dropped in Python, after the same queries as before (their day ranges and municipality
match): no query gains a region filter, so no store is asked for a new kind of scan. A region's report reads the
rows of every region of the period (twice the rows with two regions), which the deployment's own numbers bound.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from koonto.reporting.domain.model import scoped
from koonto.reporting.domain.regions import rows_of_regions
from koonto.reporting.store.read_models import ReadModels
from koonto.shared.mongo import Document
from koonto.shared.region import Regions


class RegionalReadModels(ReadModels):
    """`ReadModels` read for the regions `codes` (every other method is the generation's own)."""

    def __init__(self, models: ReadModels, codes: Iterable[str], regions: Regions) -> None:  # no super().__init__
        self.__dict__.update(models.__dict__)  # the same generation, collections and locks
        self.regions = frozenset(codes)
        self.home = regions.home.code
        self.served = frozenset(regions.codes)
        self.region_of_municipality = {m: r.code for r in regions for m in r.municipality_codes}

    def _key(self, municipality: str | None) -> str | None:
        """A municipality code as the read models store it."""
        if municipality is None:
            return None
        region = self.region_of_municipality.get(municipality, self.home)
        return scoped(municipality, None if region == self.home else region)

    def _mine(self, rows: list[Document]) -> list[Document]:
        return rows_of_regions(rows, self.regions, self.home, self.served)

    async def counter_rows(self, *, last_day: str, municipality: str | None, advised: bool = True) -> list[Document]:
        return self._mine(await super().counter_rows(last_day=last_day, municipality=self._key(municipality),
                                                     advised=advised))

    async def report_rows(
        self, first: date, last: date, municipality: str | None, *, advised: bool = False
    ) -> tuple[list[Document], list[Document]]:
        period, upto = await super().report_rows(first, last, self._key(municipality), advised=advised)
        return self._mine(period), self._mine(upto)

    async def funnel_rows(self, first: date, last: date, municipality: str | None) -> list[Document]:
        return self._mine(await super().funnel_rows(first, last, self._key(municipality)))

    async def all_time_rows(self, municipality: str | None) -> list[Document]:
        return self._mine(await super().all_time_rows(self._key(municipality)))

    async def case_facts(self, municipality: str | None) -> list[Document]:
        return self._mine(await super().case_facts(self._key(municipality)))

    async def showcase_cases(self, municipality: str | None, theme: str | None) -> list[Document]:
        return self._mine(await super().showcase_cases(self._key(municipality), theme))
