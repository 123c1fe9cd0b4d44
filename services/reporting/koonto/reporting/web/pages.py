"""Pages: the funder's dashboard (staff sign-in) and the public showcase (no sign-in). No JavaScript."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from koonto.reporting import reports
from koonto.reporting.domain.model import SHOWCASE_STATUS_LABELS
from koonto.reporting.domain.report import Table, format_figure
from koonto.reporting.store import Generations, parse_instant
from koonto.reporting.web.api import REPORT_ROLES
from koonto.reporting.web.params import QueryErrors, parse_report_query
from koonto.reporting.web.svg import bar_chart
from koonto.shared.auth import optional_staff
from koonto.shared.clock import helsinki_date, utcnow
from koonto.shared.i18n import Catalogues, current_language
from koonto.shared.pages import Pages

WEB_DIR = Path(__file__).parent
TEMPLATES = WEB_DIR / "templates"
STATIC = WEB_DIR / "static"
LOCALE = WEB_DIR.parent / "locale"


def make_pages() -> Pages:
    pages = Pages(TEMPLATES, Catalogues(LOCALE), service="reporting")
    # t(): translate a label that is data (no %-formatting, unlike the template's _())
    pages.env.globals["t"] = lambda text: pages.catalogues.gettext(str(text))
    pages.env.filters["figure"] = format_figure
    return pages


def _chart_points(table: Table) -> list[tuple[str, float]]:
    assert table.chart_column is not None
    points = []
    for row in table.rows:
        value = row[table.chart_column]
        if isinstance(value, int | float) and not isinstance(value, bool):
            points.append((str(row[0]), float(value)))
    return points


def pages_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    gettext = pages.catalogues.gettext

    @router.get("/")
    async def home() -> RedirectResponse:
        return RedirectResponse("/esittely", status_code=303)

    @router.get("/raportit", response_class=HTMLResponse)
    async def dashboard(request: Request) -> Response:
        staff = await optional_staff(request)
        if staff is None:
            return pages.render(request, "signin.html", status_code=401, page_title=gettext("Kirjaudu sisään"),
                                forbidden=False)
        if not staff.has(*REPORT_ROLES):
            return pages.render(request, "signin.html", status_code=403, page_title=gettext("Ei käyttöoikeutta"),
                                forbidden=True, staff=staff)
        runtime = request.app.state.runtime
        region = runtime.region
        today = helsinki_date(utcnow())
        params = request.query_params
        raw = {
            "from": params.get("from") or date(today.year, 1, 1).isoformat(),
            "to": params.get("to") or today.isoformat(),
            "municipality": params.get("municipality") or "",
        }
        context: dict[str, Any] = {"form": raw, "summary": None, "sections": [], "figures": None,
                                   "export_query": "", "municipality_name": None}
        status = 200
        try:
            query = parse_report_query(region, raw["from"], raw["to"], raw["municipality"])
        except QueryErrors as exc:
            context["errors"] = exc.errors
            status = 422
        else:
            models = await Generations(runtime.db).active()
            summary = await reports.build_summary(models, region, query.first, query.last, query.municipality)
            tables = reports.tables(summary, region)
            sections = []
            for index, table in enumerate(tables[1:], start=1):
                chart = None
                if table.chart_column is not None:
                    points = _chart_points(table)
                    if points:
                        chart = bar_chart(
                            f"chart-{table.id}",
                            f"{gettext(table.title)}: {gettext(table.headers[table.chart_column])}",
                            points,
                        )
                sections.append({"table": table, "chart": chart, "index": index})
            context.update(
                summary=summary, figures=tables[0], sections=sections, query=query,
                municipality_name=(region.municipality(query.municipality).name_fi if query.municipality else None),
                export_query=urlencode({k: v for k, v in
                                        {"from": query.first.isoformat(), "to": query.last.isoformat(),
                                         "municipality": query.municipality or ""}.items() if v}),
            )
        return pages.render(request, "dashboard.html", status_code=status, page_title=gettext("Raportit"),
                            staff=staff, **context)

    @router.get("/esittely", response_class=HTMLResponse)
    async def showcase(request: Request) -> Response:
        runtime = request.app.state.runtime
        region = runtime.region
        language = current_language()
        municipality = request.query_params.get("municipality") or None
        theme = request.query_params.get("theme") or None
        errors: dict[str, str] = {}
        if municipality and region.municipality(municipality) is None:
            errors["municipality"] = gettext("Valitse kunta luettelosta.")
            municipality = None
        if theme and theme not in region.theme_codes:
            errors["theme"] = gettext("Valitse teema luettelosta.")
            theme = None
        models = await Generations(runtime.db).active()
        themes = reports.theme_names(region, language)
        names = {m.code: (m.name_sv if language == "sv" else m.name_fi) for m in region.municipalities}
        projects = []
        for case in await models.showcase_cases(municipality, theme):
            projects.append({
                "title": case.get("title", ""),
                "organisation": case.get("organisation_name") or "",
                "municipality": names.get(case.get("municipality", ""), case.get("municipality", "")),
                "themes": [themes.get(t, t) for t in case.get("themes", [])],
                "status": gettext(SHOWCASE_STATUS_LABELS.get(case.get("stage", ""), "")),
                "stage": case.get("stage"),
                "summary": case.get("summary") or "",
                "results": case.get("results") or "",
                "funded_on": parse_instant(case.get("reached", {}).get("funded")),
            })
        headline = await reports.headline(models, municipality)
        return pages.render(
            request, "showcase.html", status_code=422 if errors else 200, page_title=gettext("Rahoitetut hankkeet"),
            errors=errors, projects=projects, headline=headline,
            municipalities=sorted(names.items(), key=lambda kv: kv[1]),
            themes=sorted(themes.items(), key=lambda kv: kv[1]), chosen_municipality=municipality or "",
            chosen_theme=theme or "",
        )

    return router
