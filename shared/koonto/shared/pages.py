"""Server-rendered pages: one Jinja2 environment per service (autoescape, StrictUndefined, gettext).

Templates of a service live in its `web/templates/`; the shared layout (`layout.html`) and the shared static
files (`/static/shared/...`) come from here so every public page looks like one Finnish public service.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from babel.lists import format_list
from fastapi import Request
from fastapi.responses import HTMLResponse

from koonto.shared import clock
from koonto.shared.i18n import LANGUAGE_NAMES, LANGUAGES, Catalogues, current_language

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
        and_list=_and_list,
    )
    return env


def public_site(settings: Any) -> dict[str, str]:
    """The public pages of the other services, for links between them (absolute, so a proxy's path rewriting
    of one service's pages leaves them alone)."""
    home = str(settings.intake_public_url).rstrip("/")
    showcase = str(settings.reporting_public_url).rstrip("/") + "/esittely"
    return {"home": home + "/", "idea": home + "/ideas/new", "showcase": showcase}


class Pages:
    """One render helper for the HTML channel of a service."""

    def __init__(self, template_dir: Path, catalogues: Catalogues, *, service: str) -> None:
        self.env = make_environment(template_dir, catalogues)
        self.catalogues = catalogues
        self.service = service

    def _title(self, title: str) -> str:
        """Titles are given in Finnish (the source language) and shown in the page's language."""
        return self.catalogues.gettext(title) if title else ""

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        runtime = request.app.state.runtime
        language = current_language()
        base = {
            "request": request,
            "lang": language,
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "region": runtime.region,
            "service": self.service,
            "path": request.url.path,
            "staff": context.pop("staff", None),
            "csrf_token": context.pop("csrf_token", ""),
            "page_title": self._title(context.pop("page_title", "")),
            "errors": context.pop("errors", {}),
            "vendor_css": VENDOR_CSS.exists(),
            "site": public_site(runtime.settings),
        }
        html = self.env.get_template(template).render(**base, **context)
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Cache-Control"] = "no-store"
        return response
