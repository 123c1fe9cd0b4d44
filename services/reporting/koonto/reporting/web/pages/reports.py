"""GET /raportit: the funder's dashboard (staff sign-in), the report of a period with a chart beside its tables."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from koonto.reporting.domain.errors import QueryErrors
from koonto.reporting.domain.query import ReportQuery, default_period, parse_report_query
from koonto.reporting.domain.report import Table
from koonto.reporting.use_cases.reports import municipality_names as reports_names
from koonto.reporting.views import ReportView
from koonto.reporting.web.deps import REPORT_ROLES, Deps
from koonto.reporting.web.svg import bar_chart
from koonto.shared.auth import optional_staff
from koonto.shared.clock import helsinki_date
from koonto.shared.i18n import current_language
from koonto.shared.region import Region

router = APIRouter(include_in_schema=False)


def _sections(tables: list[Table], gettext: Any) -> list[dict[str, Any]]:
    """Every table after the key figures, each with its bar chart when it has a column to chart."""
    sections = []
    for index, table in enumerate(tables[1:], start=1):
        chart = None
        if table.chart_column is not None:
            # labels in the page's language, as the table beside the chart shows them (t() in the template)
            points = [(gettext(str(label)), value) for label, value in table.chart_points()]
            if points:
                chart = bar_chart(
                    f"chart-{table.id}", f"{gettext(table.title)}: {gettext(table.headers[table.chart_column])}",
                    points,
                )
        sections.append({"table": table, "chart": chart, "index": index})
    return sections


def _report_context(view: ReportView, query: ReportQuery, region: Region, gettext: Any) -> dict[str, Any]:
    municipality = region.municipality(query.municipality) if query.municipality else None
    chosen = {"from": query.first.isoformat(), "to": query.last.isoformat(), "municipality": query.municipality or ""}
    return {
        "summary": view.summary, "figures": view.tables[0], "sections": _sections(view.tables, gettext),
        "query": query,
        "municipality_name": reports_names(region, current_language()).get(municipality.code) if municipality else None,
        "export_query": urlencode({k: v for k, v in chosen.items() if v}),
    }


@router.get("/raportit", response_class=HTMLResponse)
async def dashboard(request: Request, deps: Deps) -> Response:
    pages, gettext = deps.pages, deps.pages.catalogues.gettext
    staff = await optional_staff(request)
    if staff is None:
        return pages.render(request, "signin.html", status_code=401, page_title=gettext("Kirjaudu sisään"),
                            forbidden=False)
    if not staff.has(*REPORT_ROLES):
        return pages.render(request, "signin.html", status_code=403, page_title=gettext("Ei käyttöoikeutta"),
                            forbidden=True, staff=staff)
    first, last = default_period(helsinki_date(deps.clock()))  # the current calendar year
    params = request.query_params
    raw = {
        "from": params.get("from") or first.isoformat(),
        "to": params.get("to") or last.isoformat(),
        "municipality": params.get("municipality") or "",
    }
    context: dict[str, Any] = {"form": raw, "summary": None, "sections": [], "figures": None,
                               "export_query": "", "municipality_name": None,
                               "municipality_options": list(reports_names(deps.region, current_language()).items())}
    status = 200
    try:
        query = parse_report_query(deps.region, raw["from"], raw["to"], raw["municipality"])
    except QueryErrors as exc:  # shown in the form, beside the fields (see web.errors)
        context["errors"] = exc.errors
        status = 422
    else:
        view = await deps.views.report(query, language=current_language())
        context.update(_report_context(view, query, deps.region, gettext))
    return pages.render(request, "dashboard.html", status_code=status, page_title=gettext("Raportit"),
                        staff=staff, **context)
