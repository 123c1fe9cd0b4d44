"""GET /raportit: the funder's dashboard (staff sign-in), the report of a period with a chart beside its tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from koonto.reporting.domain.as_of import FIELD, AsOfInvalid, as_of_period, parse_as_of
from koonto.reporting.domain.errors import QueryErrors, RegionNotAllowed, RegionNotServed
from koonto.reporting.domain.query import ReportQuery, default_period, parse_report_query
from koonto.reporting.domain.regions import ALL_REGIONS, choose_regions, visible_regions
from koonto.reporting.domain.report import Table
from koonto.reporting.use_cases.reports import municipality_names as reports_names
from koonto.reporting.views import ReportView, regions_together
from koonto.reporting.web.deps import REPORT_ROLES, Deps
from koonto.reporting.web.errors import region_error_message
from koonto.reporting.web.svg import bar_chart
from koonto.shared.auth import StaffPrincipal, optional_staff
from koonto.shared.clock import helsinki_date
from koonto.shared.i18n import current_language
from koonto.shared.region import Region

router = APIRouter(include_in_schema=False)
AS_OF_ERRORS = {  # catalogue messages, by `AsOfInvalid.reason`
    "invalid": "Tilannepäivä ei ole päivämäärä. Anna päivä muodossa VVVV-KK-PP, esimerkiksi 2026-09-30.",
    "future": "Tilannepäivä ei ole vielä päättynyt. Valitse eilinen tai aiempi päivä; tämän päivän luvut näet "
              "jättämällä tilannepäivän tyhjäksi.",
}


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


def region_name(region: Region, language: str) -> str:
    return {"sv": region.name_sv, "en": region.name_en}.get(language, region.name_fi)


def _regions(request: Request, deps: Deps, staff: StaffPrincipal, raw: str) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The regions the dashboard shows (`domain.regions`), and the region field of its form: shown when the
    account sees more than one region; a region outside the account's is an error beside the field (403/404)."""
    regions, gettext, language = deps.infra.regions, deps.pages.catalogues.gettext, current_language()
    visible = visible_regions(regions.codes, staff.regions_with(*REPORT_ROLES))
    default = deps.region.code if deps.region.code in visible else (visible[:1] or ("",))[0]
    # the empty choice is the default region (the site's, when the account has it); then the others, then all
    options = [(code, region_name(regions.by_code[code], language)) for code in visible if code != default]
    options.append((ALL_REGIONS, gettext("Kaikki alueesi yhteensä")))
    field: dict[str, Any] = {"region_options": options if len(visible) > 1 else [], "region_error": None,
                             "region_default": region_name(regions.by_code[default], language) if default else ""}
    try:
        codes = choose_regions([raw] if raw else None, served=regions.codes, allowed=staff.regions_with(*REPORT_ROLES),
                               current=deps.region.code)
    except (RegionNotServed, RegionNotAllowed) as exc:
        field["region_error"] = (404 if isinstance(exc, RegionNotServed) else 403, region_error_message(request, exc))
        codes = visible[:1]
    return codes, field


async def _side_by_side(deps: Deps, query: ReportQuery, codes: tuple[str, ...], total: ReportView,
                        as_of: Any) -> dict[str, Any] | None:
    """The key figures of each region beside their sum (the dashboard of several regions, whole regions only)."""
    if len(codes) < 2 or query.municipality:
        return None
    language = current_language()
    views = [await deps.views.report(query, language=language, as_of=as_of, regions=(code,)) for code in codes]
    names = [region_name(deps.infra.regions.by_code[code], language) for code in codes]
    rows = [[label, *[view.tables[0].rows[i][1] for view in views], value]
            for i, (label, value) in enumerate(total.tables[0].rows)]
    return {"headers": names, "rows": rows}


def _report_context(view: ReportView, query: ReportQuery, region: Region, gettext: Any,
                    regions: tuple[str, ...] = ()) -> dict[str, Any]:
    municipality = region.municipality(query.municipality) if query.municipality else None
    chosen = {"from": query.first.isoformat(), "to": query.last.isoformat(), "municipality": query.municipality or "",
              "as_of": view.as_of.day.isoformat() if view.as_of else "",
              "region": (ALL_REGIONS if len(regions) > 1 else regions[0]) if regions else ""}
    return {
        "as_of": view.as_of,
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
    today = helsinki_date(deps.clock())
    params = request.query_params
    raw_as_of = params.get("as_of") or ""
    as_of_error: str | None = None
    try:
        as_of = parse_as_of(raw_as_of, today)
    except AsOfInvalid as exc:
        as_of_error, as_of = AS_OF_ERRORS[exc.reason], None
    first, last = as_of_period(as_of) if as_of else default_period(today)  # the as-of day's or this year
    raw = {
        "from": params.get("from") or first.isoformat(),
        "to": params.get("to") or last.isoformat(),
        "municipality": params.get("municipality") or "",
        "as_of": raw_as_of,
        "region": params.get("region") or "",
    }
    codes, region_field = _regions(request, deps, staff, raw["region"])
    region = regions_together(deps.infra.regions, codes)
    context: dict[str, Any] = {"form": raw, "summary": None, "sections": [], "figures": None, "as_of": None,
                               "export_query": "", "municipality_name": None, "max_as_of": today - timedelta(days=1),
                               "municipality_options": list(reports_names(region, current_language()).items()),
                               "side_by_side": None, "region_label": region_name(region, current_language()),
                               "region_options": region_field["region_options"],
                               "region_default": region_field["region_default"]}
    status = 200
    try:
        query = parse_report_query(region, raw["from"], raw["to"], raw["municipality"])
    except QueryErrors as exc:  # shown in the form, beside the fields (see web.errors)
        context["errors"] = exc.errors
        status = 422
    else:
        context["errors"] = {}
        if as_of_error is None and region_field["region_error"] is None:
            view = await deps.views.report(query, language=current_language(), as_of=as_of, regions=codes)
            # the region in the export links only where there is a choice (a single region's stay as before)
            context.update(_report_context(view, query, region, gettext, codes if deps.infra.regions.several else ()))
            context["side_by_side"] = await _side_by_side(deps, query, codes, view, as_of)
    if as_of_error is not None:  # in the reader's language (the API's message is Finnish)
        context["errors"] = {**context["errors"], FIELD: gettext(as_of_error)}
        status = 422
    if region_field["region_error"] is not None:  # already in the reader's language
        status, context["errors"] = region_field["region_error"][0], {**context["errors"],
                                                                       "region": region_field["region_error"][1]}
    return pages.render(request, "dashboard.html", status_code=status, page_title=gettext("Raportit"),
                        staff=staff, **context)
