"""GET /esittely: the public showcase of funded projects (no sign-in), and / which leads there."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from koonto.reporting.web.deps import Deps
from koonto.shared.i18n import current_language

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request) -> RedirectResponse:
    return RedirectResponse(request.scope.get("root_path", "") + "/esittely", status_code=303)  # keeps the prefix


@router.get("/esittely", response_class=HTMLResponse)
async def showcase(request: Request, deps: Deps) -> Response:
    region, gettext = deps.region, deps.pages.catalogues.gettext
    municipality = request.query_params.get("municipality") or None
    theme = request.query_params.get("theme") or None
    errors: dict[str, str] = {}
    if municipality and region.municipality(municipality) is None:
        errors["municipality"] = gettext("Valitse kunta luettelosta.")
        municipality = None
    if theme and theme not in region.theme_codes:
        errors["theme"] = gettext("Valitse teema luettelosta.")
        theme = None
    view = await deps.views.showcase(municipality, theme, current_language())
    projects = [{**p, "status": gettext(p["status"])} for p in view.projects]
    return deps.pages.render(
        request, "showcase.html", status_code=422 if errors else 200, page_title=gettext("Rahoitetut hankkeet"),
        errors=errors, projects=projects, headline=view.headline, municipalities=view.municipalities,
        themes=view.themes, chosen_municipality=municipality or "", chosen_theme=theme or "",
    )
