"""Server-rendered pages: one Jinja2 environment per service (autoescape, StrictUndefined, gettext).

Templates of a service live in its `web/templates/`; the shared layout (`layout.html`) and the shared static
files (`/static/shared/...`) come from here so every public page looks like one Finnish public service.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from babel.lists import format_list
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup, escape

from koonto.shared import clock
from koonto.shared.i18n import LANGUAGE_NAMES, LANGUAGES, Catalogues, current_language
from koonto.shared.numbers import format_number

SHARED_DIR = Path(__file__).parent
SHARED_TEMPLATES = SHARED_DIR / "templates"
SHARED_STATIC = SHARED_DIR / "static"
SHARED_LOCALE = SHARED_DIR / "locale"
VENDOR_CSS = SHARED_STATIC / "vendor" / "hds-core.min.css"  # design tokens, copied from npm by the build step


def _format_date(value: date | datetime | None) -> str:
    return "" if value is None else clock.format_date(value)


def _format_datetime(value: datetime | None) -> str:
    return "" if value is None else clock.format_datetime(value, current_language())


def _and_list(items: Sequence[str]) -> str:
    """"A ja B" / "A och B" / "A and B" in the page's language."""
    return str(format_list(list(items), locale=current_language()))


def _format_time(value: datetime | None) -> str:
    return "" if value is None else clock.format_time(value)


_CELL = re.compile(r"<(td|th)(\s[^>]*)?>")


def _label_cells(row: str, headers: Sequence[str]) -> Markup:
    """Gives the cells of rendered table rows, in order, the column headers as `data-label`, so a narrow screen
    can show each row as "label: value" lines (the shared CSS) while the table stays a table. A cell that
    already has a label keeps it (and still counts as its column)."""
    labels = [str(escape(header)) for header in headers]
    out = []
    for line in str(row).split("<tr"):
        column = 0

        def label(match: re.Match[str]) -> str:
            nonlocal column
            index, column = column, column + 1
            attributes = match.group(2) or ""
            if index >= len(labels) or "data-label=" in attributes:
                return match.group(0)
            return f'<{match.group(1)} data-label="{labels[index]}"{attributes}>'

        out.append(_CELL.sub(label, line))
    return Markup("<tr".join(out))  # noqa: S704 - the rows were rendered escaped, the labels are escaped here


def make_environment(template_dir: Path, catalogues: Catalogues) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(template_dir), jinja2.FileSystemLoader(SHARED_TEMPLATES)]),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(catalogues.gettext, catalogues.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        date=_format_date, datetime=_format_datetime, time=_format_time, money=clock.format_money_eur,
        and_list=_and_list, number=format_number, label_cells=_label_cells,
    )
    return env


def public_site(settings: Any, region_prefix: str = "") -> dict[str, str]:
    """The public pages of the other services, for links between them (absolute, so a proxy's path rewriting
    of one service's pages leaves them alone); `region_prefix` ("/<region code>" with path prefixes): the pages of
    the request's region."""
    home = str(settings.intake_public_url).rstrip("/") + region_prefix
    showcase = str(settings.reporting_public_url).rstrip("/") + region_prefix + "/esittely"
    newsletters = str(getattr(settings, "notify_public_url", "")).rstrip("/") + "/staff/newsletters"
    return {"home": home + "/", "idea": home + "/ideas/new", "showcase": showcase,
            "privacy": home + "/privacy", "accessibility": home + "/accessibility", "newsletters": newsletters}


def region_path_prefix(regions: Any, scope: Any) -> str:
    """"/<region code>" when path prefixes select the regions and the request is of one but the home region."""
    if regions is None or not getattr(regions, "path_prefixes", False):
        return ""
    code = (scope.get("state") or {}).get("region")
    return f"/{code}" if code and code != regions.home.code else ""


class Pages:
    """One render helper for the HTML channel of a service."""

    def __init__(self, template_dir: Path, catalogues: Catalogues, *, service: str) -> None:
        self.env = make_environment(template_dir, catalogues)
        self.catalogues = catalogues
        self.service = service

    def _title(self, title: str) -> str:
        """Titles are given in Finnish (the source language) and shown in the page's language."""
        return self.catalogues.gettext(title) if title else ""

    def _site(self, runtime: Any, request: Request, root: str) -> dict[str, str]:
        regions = getattr(runtime, "regions", None)
        site = public_site(runtime.settings, region_path_prefix(regions, request.scope))
        if self.service == "intake" and regions is not None and regions.several:
            # intake's own pages of several regions: the request's own site (its host name or prefix)
            site.update({key: root + site[key].removeprefix(str(runtime.settings.intake_public_url).rstrip("/")
                                                          + region_path_prefix(regions, request.scope))
                         for key in ("home", "idea", "privacy", "accessibility")})
        return site

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        runtime = request.app.state.runtime
        language = current_language()
        root = str(request.scope.get("root_path") or "").rstrip("/")  # links keep a proxy's or a region's prefix
        path = request.url.path
        base = {
            "request": request,
            "lang": language,
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "region": runtime.region,
            "service": self.service,
            "base": root,  # href="{{ base }}/..."
            "path": path[len(root):] or "/" if root and path.startswith(root) else path,
            "staff": context.pop("staff", None),
            "csrf_token": context.pop("csrf_token", ""),
            "page_title": self._title(context.pop("page_title", "")),
            "errors": context.pop("errors", {}),
            "vendor_css": VENDOR_CSS.exists(),
            "site": self._site(runtime, request, root),
        }
        html = self.env.get_template(template).render(**base, **context)
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"
        return response


def rooted(request: Request, path: str) -> str:
    """`path` (from the service's root) under the request's prefix (a proxy's or a region's `root_path`), as the
    pages' `{{ base }}` links are."""
    return str(request.scope.get("root_path") or "").rstrip("/") + path


def see_other(request: Request, path: str) -> RedirectResponse:
    """A 303 to one of the service's own pages, keeping the request's prefix."""
    return RedirectResponse(rooted(request, path), status_code=303)
