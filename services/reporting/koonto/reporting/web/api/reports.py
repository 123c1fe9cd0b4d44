"""GET /api/v1/reports/summary[.json|.xlsx|.csv|.pdf]: the funder's report, staff only.

`as_of=YYYY-MM-DD` gives the report as it stood at the end of that past day (`domain.as_of`; the export names the
day and the stream position). Without `from` and `to` the report is of the current calendar year (of the as-of
day's year) (`domain.query.default_period`); the CSV
takes `?dialect=fi` (default: `;` and decimal comma) or `en` (`,` and decimal point), see `exports.csv`. The
files are built in a worker thread: a PDF takes about a second of CPU, which must not stall the event loop
(and the service's consumers with it)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from koonto.reporting.domain.as_of import parse_as_of
from koonto.reporting.domain.query import ReportQuery, parse_report_query
from koonto.reporting.domain.regions import choose_regions
from koonto.reporting.domain.report import Table
from koonto.reporting.exports.csv import DEFAULT_DIALECT, check_dialect
from koonto.reporting.exports.files import FORMATS, build_file, check_format, file_name
from koonto.reporting.exports.regions import TOTAL, sections_by_region, with_region_column
from koonto.reporting.views import ReportView, regions_together
from koonto.reporting.web.deps import REPORT_ROLES, Deps, ReportStaff
from koonto.shared.auth import StaffPrincipal
from koonto.shared.clock import helsinki_date

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


def report_regions(deps: Deps, principal: StaffPrincipal, raw: list[str] | None) -> tuple[str, ...]:
    """The regions asked for, within the account's (`domain.regions`: RegionNotServed 404, RegionNotAllowed 403)."""
    regions = deps.infra.regions
    return choose_regions(raw, served=regions.codes, allowed=principal.regions_with(*REPORT_ROLES),
                          current=deps.region.code)


async def by_region(deps: Deps, query: ReportQuery, codes: tuple[str, ...], total: ReportView, fmt: str,
                    as_of: date | None) -> tuple[list[Table], dict[str, Any]]:
    """Several regions: each region's report beside their sums; the file's tables (a region column in csv and
    xlsx, a section per region and one of the sums in the pdf) and the JSON's `by_region`."""
    views = [await deps.views.report(query, stamped=True, as_of=as_of, regions=(code,)) for code in codes]
    parts = [(deps.infra.regions.by_code[code].name_fi, view.tables) for code, view in zip(codes, views, strict=True)]
    parts.append((TOTAL, total.tables))
    tables = sections_by_region(parts) if fmt == "pdf" else with_region_column(parts)
    return tables, {code: view.summary for code, view in zip(codes, views, strict=True)}


async def report_response(
    deps: Deps, fmt: str, raw_from: str | None, raw_to: str | None, municipality: str | None,
    dialect: str | None = None, raw_as_of: str | None = None, codes: tuple[str, ...] = (),
) -> Response:
    today = helsinki_date(deps.clock())
    as_of = parse_as_of(raw_as_of, today)  # AsOfInvalid (a QueryErrors): 422
    region = regions_together(deps.infra.regions, codes) if codes else deps.region
    # no period: the current year, or the as-of day's year
    query = parse_report_query(region, raw_from, raw_to, municipality, today=as_of or today)  # QueryErrors: 422
    chosen = check_dialect(dialect) if fmt == "csv" else DEFAULT_DIALECT
    view = await deps.views.report(query, stamped=True, as_of=as_of, regions=codes or None)
    tables = view.tables
    if len(codes) > 1 and query.municipality is None:
        tables, view.summary["by_region"] = await by_region(deps, query, codes, view, fmt, as_of)
    headers = {"Cache-Control": "no-store", "X-Koonto-Generation": view.generation}
    if view.as_of is not None:
        headers["X-Koonto-As-Of"] = view.as_of.moment.isoformat()
        headers["X-Koonto-Stream-Sequence"] = str(view.as_of.sequence)
    if fmt == "json":
        return JSONResponse(view.summary, headers=headers)
    assert view.generated_at is not None
    body = await run_in_threadpool(build_file, fmt, tables, region, query, view.generated_at, chosen,
                                   view.as_of)
    name = file_name(query, fmt, view.as_of, region.code if deps.infra.regions.several else None)
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(body, media_type=FORMATS[fmt], headers=headers)


REGION_HELP = ("region code (repeat or comma-separate for their sums; all: every region of the account's); default: "
               "the region of the host name or path prefix")
AS_OF_HELP = ("as it stood at the end of this past day (Helsinki), YYYY-MM-DD: from the events recorded in the "
              "stream by then")


@router.get("/summary", summary="The report of a period (and a municipality) as JSON")
async def summary_json(
    deps: Deps, principal: ReportStaff,
    from_: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD (default: 1 January)")] = None,
    to: Annotated[str | None, Query(description="last day, YYYY-MM-DD (default: 31 December)")] = None,
    municipality: Annotated[str | None, Query(description="municipality code of the region")] = None,
    as_of: Annotated[str | None, Query(description=AS_OF_HELP)] = None,
    region: Annotated[list[str] | None, Query(description=REGION_HELP)] = None,
) -> Response:
    codes = report_regions(deps, principal, region)
    return await report_response(deps, "json", from_, to, municipality, raw_as_of=as_of, codes=codes)


@router.get("/summary.{fmt}", summary="The same report as .json, .xlsx, .csv or .pdf")
async def summary_file(
    fmt: str, deps: Deps, principal: ReportStaff,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: Annotated[str | None, Query()] = None,
    municipality: Annotated[str | None, Query()] = None,
    dialect: Annotated[str | None, Query(description="csv only: fi (default; ';' and decimal comma) or en")] = None,
    as_of: Annotated[str | None, Query(description=AS_OF_HELP)] = None,
    region: Annotated[list[str] | None, Query(description=REGION_HELP)] = None,
) -> Response:
    codes = report_regions(deps, principal, region)
    return await report_response(deps, check_format(fmt), from_, to, municipality, dialect,  # UnknownFormat: 404
                                 raw_as_of=as_of, codes=codes)
