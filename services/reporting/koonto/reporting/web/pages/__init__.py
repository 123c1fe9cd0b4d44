"""The HTML pages of reporting, one router per resource: the funder's dashboard (`reports`) and the public
showcase (`showcase`). No JavaScript."""

from __future__ import annotations

from pathlib import Path

from koonto.reporting.domain.report import Label, format_figure
from koonto.shared.i18n import Catalogues
from koonto.shared.pages import SHARED_LOCALE, Pages

WEB_DIR = Path(__file__).parent.parent
TEMPLATES = WEB_DIR / "templates"
STATIC = WEB_DIR / "static"
LOCALE = WEB_DIR.parent / "locale"


def make_pages() -> Pages:
    # the shared catalogue first: the stage names are translated once, in shared/koonto/shared/locale
    pages = Pages(TEMPLATES, Catalogues(SHARED_LOCALE, LOCALE), service="reporting")
    # t(): translate a label that is data (no %-formatting, unlike the template's _()); a `Label` carries its
    # message with its numbers
    def translate(text: object) -> str:
        if isinstance(text, Label):
            return text.message.text(pages.catalogues.gettext, pages.catalogues.ngettext)
        return pages.catalogues.gettext(str(text))

    pages.env.globals["t"] = translate
    pages.env.filters["translate"] = pages.env.globals["t"]
    pages.env.filters["figure"] = format_figure
    # a table's note in the reader's language (the report builds it as a catalogue message with its numbers)
    pages.env.globals["note_text"] = lambda table: (
        table.note_message.text(pages.catalogues.gettext, pages.catalogues.ngettext) if table.note_message else ""
    )
    return pages
