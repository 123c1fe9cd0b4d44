"""The export files: the same report gives the same bytes; a different generation time is the only change."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from openpyxl import load_workbook
from pypdf import PdfReader

from koonto.reporting.domain.report import Table
from koonto.reporting.exports.csv import build_csv
from koonto.reporting.exports.pdf import build_pdf
from koonto.reporting.exports.xlsx import build_xlsx

TABLES = [
    Table("yhteenveto", "Yhteenveto", ["Mittari", "Arvo"], [["Ideoita vastaanotettu", 7], ["Myönnetty, €", 53000]],
          chart_column=None),
    Table("neuvonta", "Neuvonta lajeittain", ["Laji", "Neuvontakertoja", "Tunteja"],
          [["Puhelin", 2, 1.2], ["Tapaaminen", 3, 3.2]]),
    Table("lapimenoajat", "Läpimenoajat (työpäivää)", ["Mittari", "Tapauksia", "Mediaani", "90. persentiili"],
          [["Ideasta ensimmäiseen yhteydenottoon", 0, None, None]], chart_column=2),
]
META = [("Kausi", "1.1.2026–31.3.2026"), ("Luotu", "29.11.2026 klo 14.30")]
AT = datetime(2026, 11, 29, 12, 30, tzinfo=UTC)


def test_xlsx_is_byte_for_byte_the_same_for_the_same_report_and_time() -> None:
    first = build_xlsx("Raportti", META, TABLES, AT)
    assert first == build_xlsx("Raportti", META, TABLES, AT)
    assert first != build_xlsx("Raportti", META, TABLES, datetime(2026, 11, 30, tzinfo=UTC))
    book = load_workbook(io.BytesIO(first))
    assert book.sheetnames == ["Raportti", "Yhteenveto", "Neuvonta lajeittain", "Läpimenoajat (työpäivää)"]
    assert list(book["Neuvonta lajeittain"].values)[1:4] == [
        ("Laji", "Neuvontakertoja", "Tunteja"), ("Puhelin", 2, 1.2), ("Tapaaminen", 3, 3.2)
    ]
    assert book.properties.created == datetime(2026, 11, 29, 12, 30)


def test_pdf_is_the_same_for_the_same_report_and_shows_figures_and_charts() -> None:
    pdf = build_pdf("Koonto: raportti", META, TABLES)
    assert pdf.startswith(b"%PDF") and pdf == build_pdf("Koonto: raportti", META, TABLES)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\xa0", " ")
    assert re.search(r"Myönnetty, €\s+53 000\b", text) and re.search(r"Tapaaminen\s+3\s+3,2\b", text)
    assert "Kaavio: Neuvontakertoja" in text  # the chart of the sessions table
    assert "Kaavio: Mediaani" not in text  # nothing to draw when there is no figure


def test_csv_has_every_section_as_a_block() -> None:
    text = build_csv(META, TABLES).decode("utf-8")
    assert text.startswith("\ufeffKausi;1.1.2026–31.3.2026")
    assert "# Neuvonta lajeittain\r\nLaji;Neuvontakertoja;Tunteja\r\nPuhelin;2;1.2\r\n" in text
    assert "Ideasta ensimmäiseen yhteydenottoon;0;;\r\n" in text
