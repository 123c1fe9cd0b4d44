"""The read paths as named queries: the report of a period, and the public showcase. Pages and the API read
through these (`ReportViews`), never through the store; they read the generation active at the time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from koonto.reporting.domain.as_of import AsOf
from koonto.reporting.domain.model import SHOWCASE_STATUS_LABELS
from koonto.reporting.domain.opendata import Cell, open_data_cells, periods
from koonto.reporting.domain.query import ReportQuery
from koonto.reporting.domain.report import Table, municipality_label
from koonto.reporting.domain.showcase import shown_results
from koonto.reporting.store import Generations, ReadModels
from koonto.reporting.store.regional import RegionalReadModels
from koonto.reporting.use_cases import reports
from koonto.reporting.use_cases.as_of import AsOfReports
from koonto.shared.clock import helsinki_date, utcnow
from koonto.shared.mongo import parse_instant
from koonto.shared.region import Region, Regions

Summary = dict[str, Any]


@dataclass(frozen=True)
class ReportView:
    summary: Summary
    tables: list[Table]  # the summary as the sections of the page and the files (the first: the key figures)
    generation: str  # the read-model generation it was read from
    generated_at: datetime | None
    as_of: AsOf | None = None  # a report as it stood at the end of a past day (`domain.as_of`)


@dataclass(frozen=True)
class ShowcaseView:
    projects: list[dict[str, Any]]  # `status` is the label still to translate
    headline: dict[str, int]
    municipalities: list[tuple[str, str]]  # (code, name in the reader's language), by name
    themes: list[tuple[str, str]]


@dataclass(frozen=True)
class OpenDataView:
    cells: list[Cell]  # suppressed already (`domain.suppression`)
    first: date  # the temporal coverage: 1 January of the first year with data ...
    last: date  # ... to today (Helsinki)
    generation: str
    generated_at: datetime


def regions_together(regions: Regions, codes: Sequence[str]) -> Region:
    """The region file a report of `codes` is built with: that region's, or for several their municipalities and
    themes together (national totals; the first region's other details)."""
    chosen = [found for code in codes if (found := regions.get(code)) is not None] or [regions.home]
    if len(chosen) == 1:
        return chosen[0]
    themes = {t.code: t for region in reversed(chosen) for t in region.themes}
    return chosen[0].model_copy(update={
        "code": "+".join(r.code for r in chosen), "name_fi": " + ".join(r.name_fi for r in chosen),
        "name_sv": " + ".join(r.name_sv for r in chosen), "name_en": " + ".join(r.name_en for r in chosen),
        "municipalities": tuple(m for r in chosen for m in r.municipalities), "themes": tuple(themes.values()),
    })


class ReportViews:
    def __init__(
        self, generations: Generations, regions: Regions, clock: Callable[[], datetime] = utcnow,
        as_of: AsOfReports | None = None,
    ) -> None:
        self.generations = generations
        self.regions = regions
        self.clock = clock
        self.as_of = as_of

    @property
    def region(self) -> Region:
        """The current region (the request's: its host name or path prefix)."""
        return self.regions.current()

    def _of(self, models: ReadModels, codes: Sequence[str]) -> ReadModels:
        return RegionalReadModels(models, codes, self.regions)

    async def report(
        self, query: ReportQuery, *, stamped: bool = False, language: str = "fi", as_of: date | None = None,
        regions: Sequence[str] | None = None,
    ) -> ReportView:
        """The report of the query's period (and municipality); `stamped`: with the time it was generated;
        `language`: of the region's names in its tables; `as_of`: as it stood at the end of that past day, from
        its checkpoint (then "generated" is the as-of moment, so the same as-of report is the same bytes);
        `regions`: of these regions (several: their sums), else of the current region."""
        codes = tuple(regions) if regions else (self.region.code,)
        region = regions_together(self.regions, codes)
        position = None
        if as_of is not None and self.as_of is not None:
            models, position = await self.as_of.models(as_of)
        else:
            models = await self.generations.active()
        generated_at = (position.moment if position else self.clock()) if stamped else None
        summary = await reports.build_summary(
            self._of(models, codes), region, query.first, query.last, query.municipality, generated_at=generated_at
        )
        summary["regions"] = list(codes)
        if position is not None:
            summary["as_of"] = {"day": position.day.isoformat(), "moment": position.moment.isoformat(),
                                "stream_sequence": position.sequence}
        return ReportView(summary, reports.tables(summary, region, language), models.generation, generated_at,
                          position)

    async def showcase(self, municipality: str | None, theme: str | None, language: str) -> ShowcaseView:
        """Funded projects whose association consented (of one municipality or theme), newest first, and the
        headline figures over the whole history."""
        region = self.region
        models = self._of(await self.generations.active(), (region.code,))
        themes = reports.theme_names(region, language)
        names = {m.code: (m.name_sv if language == "sv" else m.name_fi) for m in region.municipalities}
        projects = [
            {
                "title": case.get("title", ""),
                "organisation": case.get("organisation_name") or "",
                "municipality": municipality_label(names, case.get("municipality", "")),
                "other_municipality": case.get("municipality") == "other",
                "themes": [themes.get(t, t) for t in case.get("themes", [])],
                "status": SHOWCASE_STATUS_LABELS.get(case.get("stage", ""), ""),
                "stage": case.get("stage"),
                "summary": case.get("summary") or "",
                # the closing summary, until results are published (a withdrawal takes that off too)
                "results": "" if case.get("published_results_at") else case.get("results") or "",
                "published": shown_results(case.get("published_results"), case.get("stage"), language),
                "funded_on": parse_instant(case.get("reached", {}).get("funded")),
            }
            for case in await models.showcase_cases(municipality, theme)
        ]
        return ShowcaseView(
            projects=projects,
            headline=await reports.headline(models, municipality),
            municipalities=sorted(names.items(), key=lambda kv: kv[1]),
            themes=sorted(themes.items(), key=lambda kv: kv[1]),
        )

    async def open_data(self, *, cells: bool = True) -> OpenDataView:
        """Every open-data cell up to today: the month roll-ups of the whole history, summed per quarter
        (`cells=False`: only the coverage and the generation, for the dictionary and the metadata)."""
        region = self.region
        models = self._of(await self.generations.active(), (region.code,))
        now = self.clock()
        today = helsinki_date(now)
        rows = await models.all_time_rows(None)
        first = date(min(periods(rows, today)), 1, 1)
        found = open_data_cells(rows, region.municipality_codes, region.theme_codes, today) if cells else []
        return OpenDataView(found, first, today, models.generation, now)
