"""The report as a file: which formats exist, their title, meta rows and file name, and building the bytes."""

from __future__ import annotations

from datetime import datetime

from koonto.reporting.domain.as_of import AsOf, as_of_file_suffix, as_of_meta
from koonto.reporting.domain.errors import UnknownFormat
from koonto.reporting.domain.query import ReportQuery
from koonto.reporting.domain.report import Table
from koonto.reporting.exports.csv import DEFAULT_DIALECT, build_csv
from koonto.reporting.exports.pdf import build_pdf
from koonto.reporting.exports.xlsx import build_xlsx
from koonto.shared.clock import format_date, format_datetime
from koonto.shared.region import Region

FORMATS = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UnknownFormat(fmt)
    return fmt


def report_title(region: Region) -> str:
    return f"{region.project_name}: raportti rahoittajalle"


def report_meta(
    region: Region, query: ReportQuery, generated_at: datetime, as_of: AsOf | None = None
) -> list[tuple[str, str]]:
    """The file's description rows; an as-of report names its day and stream position instead of the time it was
    generated (which is its as-of moment, so that producing it again gives the same bytes)."""
    municipality = region.municipality(query.municipality) if query.municipality else None
    return [
        ("Alue", region.name_fi),
        ("Kausi", f"{format_date(query.first)}–{format_date(query.last)}"),
        ("Kunta", municipality.name_fi if municipality else "Koko alue"),
        ("Rahoittaja", region.funder),
        ("Ohjelma", region.funding_programme),
        *(as_of_meta(as_of) if as_of else [("Luotu", format_datetime(generated_at))]),
    ]


def file_name(query: ReportQuery, extension: str, as_of: AsOf | None = None, region: str | None = None) -> str:
    """`region`: the code of the report's region(s), on a deployment of several regions."""
    suffix = f"-{query.municipality}" if query.municipality else ""
    named = f"-{region}" if region else ""
    return (f"koonto-raportti{named}-{query.first.isoformat()}-{query.last.isoformat()}{suffix}"
            f"{as_of_file_suffix(as_of)}.{extension}")


def build_file(
    fmt: str, tables: list[Table], region: Region, query: ReportQuery, generated_at: datetime,
    dialect: str = DEFAULT_DIALECT, as_of: AsOf | None = None,
) -> bytes:
    """The .xlsx, .csv (in `dialect`, see `exports.csv`) or .pdf of a report's tables."""
    meta = report_meta(region, query, generated_at, as_of)
    if fmt == "xlsx":
        return build_xlsx(report_title(region), meta, tables, generated_at)
    if fmt == "csv":
        return build_csv(meta, tables, dialect)
    if fmt == "pdf":
        return build_pdf(report_title(region), meta, tables, generated_at)
    raise UnknownFormat(fmt)
