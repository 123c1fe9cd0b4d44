"""GET /api/v1/reports/summary[.json|.xlsx|.csv|.pdf]: the funder's report, staff only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from koonto.reporting import reports
from koonto.reporting.exports.csv import build_csv
from koonto.reporting.exports.pdf import build_pdf
from koonto.reporting.exports.xlsx import build_xlsx
from koonto.reporting.store import Generations
from koonto.reporting.web.params import QueryErrors, ReportQuery, parse_report_query
from koonto.shared.auth import StaffPrincipal, require_staff
from koonto.shared.clock import format_date, format_datetime, utcnow
from koonto.shared.region import Region

REPORT_ROLES = ("funder", "coordinator", "admin")
ReportStaff = Annotated[StaffPrincipal, Depends(require_staff(*REPORT_ROLES))]
FORMATS = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def query_error_response(exc: QueryErrors) -> JSONResponse:
    return JSONResponse(
        {
            "detail": "Raportin hakuehdoissa on virhe: " + " ".join(exc.errors.values()),
            "errors": [{"field": f, "message": m} for f, m in exc.errors.items()],
        },
        status_code=422,
    )


def report_title(region: Region) -> str:
    return f"{region.project_name}: raportti rahoittajalle"


def report_meta(region: Region, query: ReportQuery, generated_at: datetime) -> list[tuple[str, str]]:
    municipality = region.municipality(query.municipality) if query.municipality else None
    return [
        ("Alue", region.name_fi),
        ("Kausi", f"{format_date(query.first)}–{format_date(query.last)}"),
        ("Kunta", municipality.name_fi if municipality else "Koko alue"),
        ("Rahoittaja", region.funder),
        ("Ohjelma", region.funding_programme),
        ("Luotu", format_datetime(generated_at)),
    ]


def file_name(query: ReportQuery, extension: str) -> str:
    suffix = f"-{query.municipality}" if query.municipality else ""
    return f"koonto-raportti-{query.first.isoformat()}-{query.last.isoformat()}{suffix}.{extension}"


async def render_report(request: Request, query: ReportQuery, fmt: str) -> Response:
    runtime = request.app.state.runtime
    models = await Generations(runtime.db).active()
    generated_at = utcnow()
    summary = await reports.build_summary(
        models, runtime.region, query.first, query.last, query.municipality, generated_at=generated_at
    )
    headers = {"Cache-Control": "no-store", "X-Koonto-Generation": models.generation}
    if fmt == "json":
        return JSONResponse(summary, headers=headers)
    tables = reports.tables(summary, runtime.region)
    meta = report_meta(runtime.region, query, generated_at)
    body: bytes
    if fmt == "xlsx":
        body = build_xlsx(report_title(runtime.region), meta, tables, generated_at)
    elif fmt == "csv":
        body = build_csv(meta, tables)
    else:
        body = build_pdf(report_title(runtime.region), meta, tables)
    headers["Content-Disposition"] = f'attachment; filename="{file_name(query, fmt)}"'
    return Response(body, media_type=FORMATS[fmt], headers=headers)


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

    async def summary_in(
        request: Request, fmt: str, raw_from: str | None, raw_to: str | None, municipality: str | None
    ) -> Response:
        try:
            query = parse_report_query(request.app.state.runtime.region, raw_from, raw_to, municipality)
        except QueryErrors as exc:
            return query_error_response(exc)
        return await render_report(request, query, fmt)


    @router.get("/summary", summary="The report of a period (and a municipality) as JSON")
    async def summary_json(
        request: Request, principal: ReportStaff,
        from_: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")] = None,
        to: Annotated[str | None, Query(description="last day, YYYY-MM-DD")] = None,
        municipality: Annotated[str | None, Query(description="municipality code of the region")] = None,
    ) -> Response:
        return await summary_in(request, "json", from_, to, municipality)

    @router.get("/summary.{fmt}", summary="The same report as .json, .xlsx, .csv or .pdf")
    async def summary_file(
        request: Request, fmt: str, principal: ReportStaff,
        from_: Annotated[str | None, Query(alias="from")] = None,
        to: Annotated[str | None, Query()] = None,
        municipality: Annotated[str | None, Query()] = None,
    ) -> Response:
        if fmt not in FORMATS:
            return JSONResponse(
                {"detail": "Tuntematon tiedostomuoto: valitse json, xlsx, csv tai pdf."}, status_code=404
            )
        return await summary_in(request, fmt, from_, to, municipality)

    return router
