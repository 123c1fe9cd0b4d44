"""Attachments of an idea (plan drafts, budgets, letters of support): which files are taken, decided from their
content, never from the name or the browser's content type.

The rule: a file is what its bytes say. PDF, JPEG and PNG by their magic bytes; the office formats are zip files,
told apart by what is inside (OpenDocument: the `mimetype` entry; Office Open XML: the main part named in
`[Content_Types].xml`). A file whose content is allowed but whose name says otherwise (a PNG named `.docx`) is
taken as what it is, and its download name gets the right extension; anything else (an `.exe` renamed `.pdf`, a
zip of something else, a text file) is refused. Pure: no store, no web.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from koonto.intake.domain.messages import N_
from koonto.shared.contracts.intake import ATTACHMENT_KINDS

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JPEG = "image/jpeg"
PNG = "image/png"

EXTENSIONS = {PDF: ".pdf", ODT: ".odt", ODS: ".ods", DOCX: ".docx", XLSX: ".xlsx", JPEG: ".jpg", PNG: ".png"}


def kind_label(media_type: str) -> str:
    """What a reader calls the file's kind: PDF, DOCX, PNG..."""
    return ATTACHMENT_KINDS.get(media_type, "?")


_SAME_EXTENSIONS = {".jpeg": JPEG}
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_MAX_MANIFEST_BYTES = 256 * 1024  # what is read of a zip's manifest entry (a bomb's huge entry is never inflated)

TYPE_REFUSED = N_(
    "Tiedostoa {name} ei voi liittää: sallittuja ovat PDF-, ODT-, DOCX-, ODS-, XLSX-, JPEG- ja PNG-tiedostot. "
    "Tiedoston tyyppi tarkistetaan sen sisällöstä."
)
FILE_TOO_BIG = N_("Tiedosto {name} on liian suuri: enintään {max} megatavua tiedostoa kohden.")
IDEA_TOO_BIG = N_("Liitteitä on liikaa: yhteensä enintään {max} megatavua idealle. Tiedostoa {name} ei liitetty.")
TOO_MANY = N_("Liitteitä voi olla enintään {max}. Tiedostoa {name} ei liitetty.")
EMPTY_FILE = N_("Tiedosto {name} on tyhjä.")


def sniff(data: bytes) -> str | None:
    """The allowed media type the content is, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None


def _read_entry(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_MANIFEST_BYTES:
        return None
    with archive.open(info) as entry:
        return entry.read(_MAX_MANIFEST_BYTES)


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            mimetype = _read_entry(archive, "mimetype")
            if mimetype is not None:
                declared = mimetype.strip().decode("ascii", errors="replace")
                return declared if declared in (ODT, ODS) else None
            manifest = _read_entry(archive, "[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    if manifest is None:
        return None
    text = manifest.decode("utf-8", errors="replace")
    for part, kind in _OOXML_MAIN_PARTS.items():
        if f'ContentType="{part}"' in text:
            return kind
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|;]+")


def safe_name(given: str, media_type: str) -> str:
    """The name shown and offered for download: no path, no control or quoting characters, at most 150
    characters, and the extension of what the file is (a PNG named `liite.docx` is `liite.docx.png`)."""
    base = unicodedata.normalize("NFC", given.replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE.sub("_", base).strip(" .") or "liite"
    extension = EXTENSIONS[media_type]
    lower = base.lower()
    if not (lower.endswith(extension) or _SAME_EXTENSIONS.get(lower[lower.rfind(".") :]) == media_type):
        base += extension
    if len(base) > 150:
        stem, dot, ext = base.rpartition(".")
        base = f"{stem[: 149 - len(ext)]}.{ext}" if dot else base[:150]
    return base


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the real name in RFC 6266 / RFC 5987 `filename*`."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._ -]+", "_", fallback).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@dataclass(frozen=True)
class Limits:
    per_file_bytes: int
    per_idea_bytes: int
    max_files: int


@dataclass(frozen=True)
class Refusal:
    """Why one file was not taken: a message and its values (the file's name, a limit)."""

    message: str
    values: dict[str, str]


def judge(name: str, data: bytes, already: list[int], limits: Limits) -> tuple[str, Refusal | None]:
    """(media type, None) for a file that may be attached beside files of the sizes `already`; else ("", why)."""
    shown = name.replace("\\", "/").rsplit("/", 1)[-1][:150] or "?"
    if not data:
        return "", Refusal(EMPTY_FILE, {"name": shown})
    if len(data) > limits.per_file_bytes:
        return "", Refusal(FILE_TOO_BIG, {"name": shown, "max": megabytes(limits.per_file_bytes)})
    media_type = sniff(data)
    if media_type is None:
        return "", Refusal(TYPE_REFUSED, {"name": shown})
    if len(already) >= limits.max_files:
        return "", Refusal(TOO_MANY, {"name": shown, "max": str(limits.max_files)})
    if sum(already) + len(data) > limits.per_idea_bytes:
        return "", Refusal(IDEA_TOO_BIG, {"name": shown, "max": megabytes(limits.per_idea_bytes)})
    return media_type, None


def megabytes(size: int) -> str:
    """A limit in megabytes as a Finnish reader writes it: 10, 2,5, 0,005."""
    return f"{size / 1_000_000:.6f}".rstrip("0").rstrip(".").replace(".", ",")
