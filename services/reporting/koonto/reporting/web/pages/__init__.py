"""The HTML pages of reporting, one router per resource: the funder's dashboard (`reports`) and the public
showcase (`showcase`). No JavaScript."""

from __future__ import annotations

from pathlib import Path

from koonto.reporting.domain.report import format_figure
from koonto.shared.i18n import Catalogues
from koonto.shared.pages import SHARED_LOCALE, Pages

WEB_DIR = Path(__file__).parent.parent
TEMPLATES = WEB_DIR / "templates"
STATIC = WEB_DIR / "static"
LOCALE = WEB_DIR.parent / "locale"


def make_pages() -> Pages:
    # the shared catalogue first: the stage names are translated once, in shared/koonto/shared/locale
    pages = Pages(TEMPLATES, Catalogues(SHARED_LOCALE, LOCALE), service="reporting")
    # t(): translate a label that is data (no %-formatting, unlike the template's _())
    pages.env.globals["t"] = lambda text: pages.catalogues.gettext(str(text))
    pages.env.filters["translate"] = pages.env.globals["t"]
    pages.env.filters["figure"] = format_figure
    return pages
