"""The report as a tagged PDF (PDF/UA-1): the report's HTML rendered by WeasyPrint.

Every section is a real table (column headers `th scope="col"` that wrap inside their column, row headers
`th scope="row"`), with a bar chart of its main figure under the numbers, drawn as text and boxes (each bar
carries its label and its value as text, so the chart reads aloud and extracts as words). WeasyPrint's
`pdf/ua-1` variant writes the tag tree (StructTreeRoot, headings, tables with their header cells, lists), the
document language (`fi`), the title shown in the viewer's title bar, and the XMP metadata with the PDF/UA
identification. The footer numbers the pages ("Sivu 2 / 5"). What is and is not checked of PDF/UA is in the
reporting README.

The creation and modification dates are the report's generation time, and nothing else in the file depends on
the moment it is built, so the same report at the same time gives the same bytes.

WeasyPrint needs Pango (and a font: DejaVu Sans) from the system: `libpango-1.0-0`, `libpangoft2-1.0-0` and
`fonts-dejavu-core` on Debian; the service image installs them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from koonto.reporting.domain.errors import PdfUnavailable
from koonto.reporting.domain.report import Table, format_figure

try:  # at import, with the service: loading it (Pango, fonts) takes seconds, not per request
    from weasyprint import HTML
except OSError as missing:  # a machine without Pango: the service runs, only the PDF export answers 503
    HTML = None
    MISSING_LIBRARIES = str(missing)
else:
    MISSING_LIBRARIES = ""

TEMPLATES = Path(__file__).with_name("templates")
STYLE = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))  # noqa: S704 - our own file, raw in <style>
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False)


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str
    percent: float


def chart_bars(table: Table) -> list[Bar]:
    """The bars of the table's chart column, longest = 100 %; none when there is nothing to draw."""
    points = table.chart_points()
    top = max((value for _, value in points), default=0.0)
    if top <= 0:
        return []
    return [Bar(label, format_figure(value), round(max(0.0, 100 * value / top), 2) if value > 0 else 0.0)
            for label, value in points]


def report_html(title: str, meta: list[tuple[str, str]], tables: list[Table],
                generated_at: datetime | None = None) -> str:
    """The HTML the PDF is rendered from (also what a test or a person can read to see what the PDF holds)."""
    sections: list[dict[str, Any]] = [
        {"table": table, "cells": [[format_figure(v) for v in row] for row in table.rows], "bars": chart_bars(table)}
        for table in tables
    ]
    created = generated_at.astimezone(UTC).replace(microsecond=0).isoformat() if generated_at else None
    return _env.get_template("report.html").render(
        title=title, meta=meta, sections=sections, created=created, author="Koonto", subject=title,
        keywords="raportti, rahoittaja, Koonto", css=STYLE,
    )


def build_pdf(title: str, meta: list[tuple[str, str]], tables: list[Table],
              generated_at: datetime | None = None) -> bytes:
    """The report as PDF/UA-1. `generated_at` is the file's creation date; without it the file claims none."""
    if HTML is None:
        raise PdfUnavailable(MISSING_LIBRARIES)
    html = HTML(string=report_html(title, meta, tables, generated_at), base_url=str(TEMPLATES))
    with _font_timestamp(generated_at):
        pdf = html.write_pdf(pdf_variant="pdf/ua-1")
    assert pdf is not None
    return bytes(pdf)


_fonts_lock = threading.Lock()


@contextmanager
def _font_timestamp(at: datetime | None) -> Iterator[None]:
    """Render with the embedded font subsets stamped `at` rather than now.

    fontTools writes the moment it saves a font subset into the subset's `head` table unless SOURCE_DATE_EPOCH
    (the reproducible-builds convention) names another; without this, two PDFs of the same report differ in
    those bytes. The variable is process-wide, so renders take turns while it is set (a PDF takes about a second).
    """
    if at is None:
        yield
        return
    with _fonts_lock:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(at.timestamp()))
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before
