"""The attachment rules of the idea form, pure: the type from the content, the limits, the download name."""

from __future__ import annotations

import io
import zipfile

import pytest

from koonto.intake.domain import attachments as a

LIMITS = a.Limits(per_file_bytes=1000, per_idea_bytes=1500, max_files=3)


def zipped(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


XLSX_TYPES = (
    '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    '.main+xml" PartName="/xl/workbook.xml"/></Types>'
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", a.PDF),
        (b"\x89PNG\r\n\x1a\n....", a.PNG),
        (b"\xff\xd8\xff\xe0..JFIF", a.JPEG),
        (zipped({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), a.ODS),
        (zipped({"mimetype": "application/vnd.oasis.opendocument.text"}), a.ODT),
        (zipped({"[Content_Types].xml": XLSX_TYPES}), a.XLSX),
        (zipped({"mimetype": "application/vnd.oasis.opendocument.presentation"}), None),  # ODP: not allowed
        (zipped({"word/document.xml": "<w/>"}), None),  # a zip without a manifest
        (b"PK\x03\x04 not really a zip", None),
        (b"MZ\x90\x00 an executable", None),
        (b"<html><script>alert(1)</script>", None),
        (b"plain text", None),
    ],
)
def test_the_type_is_read_from_the_content(data: bytes, expected: str | None) -> None:
    assert a.sniff(data) == expected


def test_a_file_is_refused_with_its_name_for_its_type_its_size_and_the_ideas_limits() -> None:
    pdf = b"%PDF-" + b"x" * 595
    assert a.judge("ok.pdf", pdf, [], LIMITS) == (a.PDF, None)
    assert a.judge("C:\\Users\\maija\\virus.pdf", b"MZ" + b"x" * 10, [], LIMITS)[1] == a.Refusal(
        a.TYPE_REFUSED, {"name": "virus.pdf"}
    )
    assert a.judge("big.pdf", pdf * 2, [], LIMITS)[1] == a.Refusal(a.FILE_TOO_BIG, {"name": "big.pdf", "max": "0,001"})
    assert a.judge("third.pdf", pdf, [600, 600], LIMITS)[1] == a.Refusal(
        a.IDEA_TOO_BIG, {"name": "third.pdf", "max": "0,0015"}
    )
    assert a.judge("fourth.pdf", b"%PDF-1", [1, 1, 1], LIMITS)[1] == a.Refusal(
        a.TOO_MANY, {"name": "fourth.pdf", "max": "3"}
    )
    assert a.judge("empty.pdf", b"", [], LIMITS)[1] == a.Refusal(a.EMPTY_FILE, {"name": "empty.pdf"})


@pytest.mark.parametrize(
    ("given", "kind", "name"),
    [
        ("Talousarvio 2027.xlsx", a.XLSX, "Talousarvio 2027.xlsx"),
        ("kuva.docx", a.PNG, "kuva.docx.png"),  # a PNG named .docx is stored as what it is
        ("kuva.JPEG", a.JPEG, "kuva.JPEG"),
        ("../../etc/passwd.pdf", a.PDF, "passwd.pdf"),
        ('a"b;c\r\n.pdf', a.PDF, "a_b_c_.pdf"),
        ("", a.PDF, "liite.pdf"),
    ],
)
def test_the_download_name_is_safe_and_says_what_the_file_is(given: str, kind: str, name: str) -> None:
    assert a.safe_name(given, kind) == name


def test_a_long_name_keeps_its_extension() -> None:
    name = a.safe_name("x" * 400 + ".pdf", a.PDF)
    assert len(name) == 150 and name.endswith(".pdf")


def test_content_disposition_is_an_attachment_with_the_real_name_in_filename_star() -> None:
    assert a.content_disposition("Tukikirje äänestä.pdf") == (
        "attachment; filename=\"Tukikirje aanesta.pdf\"; filename*=UTF-8''Tukikirje%20%C3%A4%C3%A4nest%C3%A4.pdf"
    )
