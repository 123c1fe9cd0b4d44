"""GET /avoin-data: the public open-data page (downloads, licence, the region's figures of the latest year, the
suppression rule), and /avoin-data/tietokuvaus: the data dictionary as a page. No sign-in, no JavaScript."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from koonto.reporting.domain.opendata import INDICATORS, Cell
from koonto.reporting.exports.opendata import FIELDS, INDICATOR_TEXTS, LICENCE_URL, SUPPRESSED_MARKS
from koonto.reporting.web.deps import Deps

router = APIRouter(include_in_schema=False)
API = "/api/v1/open-data"


def latest_year(cells: list[Cell], year: int) -> list[dict[str, Any]]:
    """The region's figures of `year`, one row per indicator (not by theme): each quarter so far and the year."""
    region_cells = {(c.indicator, c.quarter): c for c in cells
                    if c.year == year and c.municipality is None and c.theme is None}
    rows = []
    for indicator in INDICATORS:
        if indicator.by_theme:
            continue
        figures = [region_cells.get((indicator.id, q)) for q in (1, 2, 3, 4, None)]
        rows.append({"name": INDICATOR_TEXTS[indicator.id].name,
                     "figures": [None if c is None else (c.published if c.published is not None
                                                        else SUPPRESSED_MARKS[c.status]) for c in figures]})
    return rows


@router.get("/avoin-data", response_class=HTMLResponse)
async def open_data_page(request: Request, deps: Deps) -> HTMLResponse:
    gettext = deps.pages.catalogues.gettext
    view = await deps.views.open_data()
    return deps.pages.render(
        request, "opendata.html", page_title=gettext("Avoin data"), api=API, licence_url=LICENCE_URL,
        year=view.last.year, rows=latest_year(view.cells, view.last.year),
        first=view.first, last=view.last, marks=SUPPRESSED_MARKS,
    )


@router.get("/avoin-data/tietokuvaus", response_class=HTMLResponse)
async def dictionary_page(request: Request, deps: Deps) -> HTMLResponse:
    gettext = deps.pages.catalogues.gettext
    indicators = [{"id": i.id, "text": INDICATOR_TEXTS[i.id], "source": i.source, "suppressed": i.suppressed}
                  for i in INDICATORS]
    return deps.pages.render(
        request, "opendata_dictionary.html", page_title=gettext("Avoimen datan tietokuvaus"), api=API,
        fields=FIELDS, indicators=indicators, licence_url=LICENCE_URL, marks=SUPPRESSED_MARKS,
    )
