"""Attachments of the idea form and its drafts, against real NATS and a real store (the default store and
nx-27017): types judged by content, size limits, chunked storage, who may download, erasure, double submits,
and drafts that are mailed, resumed, expire and never reach advisory."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import timedelta
from typing import Any

from koonto.shared.contracts.intake import ErasureRequested, IdeaDraftSaved, IdeaSubmitted
from tests.intake.helpers import events_of, form_pairs, hidden, idea_body, stream_events
from tests.intake.integration.conftest import PUBLIC
from tests.support.polling import eventually
from tests.support.staff import TEST_JWKS_JSON, bearer

PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 2400 + b"\n%%EOF\n"  # ~600 kB: three chunks
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 200
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 500 + b"This program cannot be run in DOS mode."


def office_file(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
        elif kind == "docx":
            archive.writestr(
                "[Content_Types].xml",
                (
                    '<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.wordprocessingml.document.main+xml"/></Types>'
                ),
            )
            archive.writestr("word/document.xml", "<w:document/>")
        else:  # a zip of something else
            archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


async def form_post(http: Any, url: str, answers: list[tuple[str, str]], files: list[tuple[str, bytes]]) -> Any:
    data: dict[str, list[str]] = {}
    for name, value in answers:
        data.setdefault(name, []).append(value)
    sent = [("attachments", (name, payload, "application/pdf")) for name, payload in files]
    return await http.post(url, data=data, files=sent or [("attachments", ("", b"", "application/octet-stream"))])


async def start_form(http: Any) -> list[tuple[str, str]]:
    form = await http.get("/ideas/new")
    return [
        ("form_token", hidden(form.text, "form_token")),
        ("upload_token", hidden(form.text, "upload_token")),
        ("website", ""),
    ]


async def send_idea(http: Any, files: list[tuple[str, bytes]], **overrides: Any) -> tuple[Any, list[tuple[str, str]]]:
    """The form with files, then the check step's send: (the receipt response, the check step's fields)."""
    page = await start_form(http)
    check = await form_post(http, "/ideas/new", [*form_pairs(idea_body(**overrides)), *page], files)
    assert check.status_code == 200, check.text
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check.text)
    sent = await http.post("/ideas/confirm", data=_grouped([*fields, ("action", "submit")]))
    return sent, fields


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


async def test_files_are_judged_by_content_kept_with_the_form_and_sent_as_metadata_only(
    start_intake_on_each_store, clean_stream
) -> None:
    async with start_intake_on_each_store() as (runtime, http):
        page = await start_form(http)
        answers = [*form_pairs(idea_body()), *page]
        refused = await form_post(
            http,
            "/ideas/new",
            answers,
            [
                ("suunnitelma.pdf", PDF_BYTES),
                ("ohjelma.pdf", EXE_BYTES),
                ("kuva.docx", PNG_BYTES),
                ("tukikirje.docx", office_file("docx")),
                ("poytakirja.odt", office_file("odt")),
                ("arkisto.xlsx", office_file("zip")),
            ],
        )
        # the .exe named .pdf and the zip that is no office file are refused, by name, next to the file input;
        # the rest of the form is kept, and the allowed files are listed as attached
        assert refused.status_code == 422
        assert 'href="#attachments"' in refused.text
        assert "Tiedostoa ohjelma.pdf ei voi liittää" in refused.text
        assert "Tiedostoa arkisto.xlsx ei voi liittää" in refused.text
        assert 'value="Kyläyhdistys Toivala ry"' in refused.text and "Avataan kylätalo" in refused.text
        for kept in ("suunnitelma.pdf", "kuva.docx.png", "tukikirje.docx", "poytakirja.odt"):
            assert kept in refused.text
        swedish = await form_post(http, "/ideas/new?lang=sv", answers, [("x.pdf", EXE_BYTES)])
        assert "Filen x.pdf kan inte bifogas" in swedish.text
        http.cookies.clear()

        fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', refused.text)
        token = dict(fields)["upload_token"]
        check = await form_post(
            http, "/ideas/new", [*form_pairs(idea_body()), *page[:1], ("upload_token", token), ("website", "")], []
        )
        assert check.status_code == 200 and "suunnitelma.pdf" in check.text
        hidden_fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check.text)
        sent = await http.post("/ideas/confirm", data=_grouped([*hidden_fields, ("action", "submit")]))
        assert sent.status_code == 303

        ((_, submitted),) = await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: e)
        by_name = {a.name: a for a in submitted.attachments}
        assert {n: a.type for n, a in by_name.items()} == {
            "suunnitelma.pdf": "application/pdf",
            "kuva.docx.png": "image/png",
            "tukikirje.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "poytakirja.odt": "application/vnd.oasis.opendocument.text",
        }
        assert by_name["suunnitelma.pdf"].sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
        assert by_name["suunnitelma.pdf"].size == len(PDF_BYTES)
        raw = (await stream_events(clean_stream, IdeaSubmitted.event_type()))[0]
        assert "data" not in raw.data["attachments"][0] and len(raw.model_dump_json()) < 20_000  # no bytes
        chunks = await runtime.db["attachment_chunks"].count_documents(
            {"attachment_id": by_name["suunnitelma.pdf"].attachment_id}
        )
        assert chunks == 3

        # the association downloads its file through its status link, as a download that is never sniffed
        status = submitted.status_url.removeprefix(PUBLIC)
        status_page = await http.get(status)
        pdf = by_name["suunnitelma.pdf"]
        assert f"{status}/attachments/{pdf.attachment_id}" in status_page.text
        got = await http.get(f"{status}/attachments/{pdf.attachment_id}")
        assert got.status_code == 200 and got.content == PDF_BYTES
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith('attachment; filename="suunnitelma.pdf"')


async def test_size_limits_per_file_and_per_idea_refuse_clearly_and_keep_the_rest(start_intake) -> None:
    async with start_intake(attachment_max_bytes=5000, attachments_max_bytes_per_idea=8000) as (runtime, http):
        page = await start_form(http)
        answers = [*form_pairs(idea_body()), *page]
        pdf = b"%PDF-1.7\n" + b"a" * 4490  # two of them are over the 8000 bytes of an idea
        big = b"%PDF-1.7\n" + b"a" * 6000
        answer = await form_post(http, "/ideas/new", answers, [("iso.pdf", big), ("eka.pdf", pdf), ("toka.pdf", pdf)])
        assert answer.status_code == 422
        assert "Tiedosto iso.pdf on liian suuri: enintään 0,005 megatavua tiedostoa kohden." in answer.text
        assert "yhteensä enintään" in answer.text and "Tiedostoa toka.pdf ei liitetty" in answer.text
        assert "eka.pdf" in answer.text and 'value="Kylätalon kohtaamispaikka"' in answer.text
        assert await runtime.db["attachments"].count_documents({}) == 1


async def test_only_staff_and_the_association_itself_download_an_attachment(start_intake) -> None:
    async with start_intake(staff_jwks_url=TEST_JWKS_JSON) as (runtime, http):
        sent, _ = await send_idea(http, [("budjetti.pdf", PDF_BYTES)])
        other, _ = await send_idea(
            http, [], organisation__name="Toinen yhdistys ry", title="Toinen idea", contact__email="toinen@example.fi"
        )
        assert sent.status_code == other.status_code == 303
        ideas = {i["organisation"]["name"]: i async for i in runtime.db["ideas"].find({})}
        mine = ideas["Kyläyhdistys Toivala ry"]
        attachment_id = mine["attachments"][0]["attachment_id"]
        staff_url = f"/attachments/{mine['_id']}/{attachment_id}"

        assert (await http.get(staff_url)).status_code == 401  # anonymous
        assert (await http.get(staff_url, headers=bearer("funder"))).status_code == 403
        allowed = await http.get(staff_url, headers=bearer("advisor"))
        assert allowed.status_code == 200 and allowed.content == PDF_BYTES
        assert allowed.headers["x-content-type-options"] == "nosniff"
        assert "attachment" in allowed.headers["content-disposition"]
        # another association's status link does not open this file, nor does a staff URL of another idea
        other_token = runtime.container.links.status.sign(ideas["Toinen yhdistys ry"]["_id"])
        assert (await http.get(f"/status/{other_token}/attachments/{attachment_id}")).status_code == 404
        wrong_idea = f"/attachments/{ideas['Toinen yhdistys ry']['_id']}/{attachment_id}"
        assert (await http.get(wrong_idea, headers=bearer("advisor"))).status_code == 404


async def test_a_double_submit_is_one_idea_with_its_files_once(start_intake, clean_stream) -> None:
    async with start_intake() as (runtime, http):
        first, fields = await send_idea(http, [("budjetti.pdf", PDF_BYTES)])
        again = await http.post("/ideas/confirm", data=_grouped([*fields, ("action", "submit")]))
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]
        assert await runtime.db["ideas"].count_documents({}) == 1
        assert await runtime.db["attachments"].count_documents({}) == 1
        events = await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: e)
        assert len(events) == 1 and len(events[0][1].attachments) == 1


async def test_erasure_deletes_the_files_of_the_person_and_their_drafts(start_intake, clean_stream) -> None:
    async with start_intake() as (runtime, http):
        await send_idea(http, [("budjetti.pdf", PDF_BYTES)])
        page = await start_form(http)
        saved = await form_post(
            http,
            "/ideas/new",
            [("contact.email", "maija@example.fi"), *page, ("action", "draft")],
            [("liite.png", PNG_BYTES)],
        )
        assert saved.status_code == 200
        assert await runtime.db["attachments"].count_documents({}) == 2
        idea = await runtime.db["ideas"].find_one({})
        status = runtime.container.links.status.sign(idea["_id"])
        page_before = await http.get(f"/status/{status}")
        csrf = hidden(page_before.text, "csrf_token")
        erased = await http.post(f"/status/{status}/erase", data={"csrf_token": csrf})
        assert erased.status_code == 303

        async def left() -> tuple[int, int, int]:
            return (
                await runtime.db["attachments"].count_documents({}),
                await runtime.db["attachment_chunks"].count_documents({}),
                await runtime.db["drafts"].count_documents({}),
            )

        await eventually(left, until=lambda counts: counts == (0, 0, 0), what="files and drafts erased")
        attachment_id = idea["attachments"][0]["attachment_id"]
        assert (await http.get(f"/status/{status}/attachments/{attachment_id}")).status_code == 404
        assert await events_of(clean_stream, ErasureRequested)


async def test_a_draft_is_mailed_resumed_and_never_an_idea_until_sent(start_intake_on_each_store, clean_stream) -> None:
    async with start_intake_on_each_store() as (runtime, http):
        page = await start_form(http)
        unfinished = [
            ("organisation.name", "Kyläyhdistys Toivala ry"),
            ("title", "Kylätalon kohtaamispaikka"),
            ("contact.email", "Maija@Example.fi"),
            ("contact.language", "sv"),
        ]
        no_address = await form_post(http, "/ideas/new", [*page, ("action", "draft"), ("title", "X")], [])
        assert no_address.status_code == 422 and "johon lähetämme linkin luonnokseen" in no_address.text
        saved = await form_post(
            http, "/ideas/new", [*unfinished, *page, ("action", "draft")], [("tukikirje.docx", office_file("docx"))]
        )
        assert saved.status_code == 200 and "Luonnos tallennettu" in saved.text and "maija@example.fi" in saved.text

        ((envelope, event),) = await eventually(lambda: events_of(clean_stream, IdeaDraftSaved), until=lambda e: e)
        assert set(envelope.data) == {"draft_id", "saved_at", "email", "language", "resume_url", "expires_at"}
        assert event.email == "maija@example.fi" and event.language == "sv"
        raw = (await stream_events(clean_stream, IdeaDraftSaved.event_type()))[0]
        assert str(raw.data["email"]).startswith("enc:v1:")  # the address is sealed in the stream
        assert event.expires_at - event.saved_at == timedelta(days=runtime.settings.draft_max_age_days)
        assert await runtime.db["ideas"].count_documents({}) == 0
        assert await stream_events(clean_stream, IdeaSubmitted.event_type()) == []

        resume = event.resume_url.removeprefix(PUBLIC)
        resumed = await http.get(resume)
        assert resumed.status_code == 200 and 'id="resumed"' in resumed.text
        assert 'value="Kyläyhdistys Toivala ry"' in resumed.text and "tukikirje.docx" in resumed.text
        # saved again to the same address: no second mail
        token = hidden(resumed.text, "upload_token")
        await form_post(
            http,
            "/ideas/new",
            [
                *unfinished,
                ("form_token", hidden(resumed.text, "form_token")),
                ("upload_token", token),
                ("website", ""),
                ("action", "draft"),
            ],
            [],
        )
        assert len(await events_of(clean_stream, IdeaDraftSaved)) == 1

        # finished and sent from the draft: one idea with the draft's file, and the resume link says it is gone
        answers = [
            *form_pairs(idea_body()),
            ("form_token", hidden(resumed.text, "form_token")),
            ("upload_token", token),
            ("website", ""),
        ]
        check = await form_post(http, "/ideas/new", answers, [])
        fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check.text)
        assert (await http.post("/ideas/confirm", data=_grouped([*fields, ("action", "submit")]))).status_code == 303
        ((_, submitted),) = await eventually(lambda: events_of(clean_stream, IdeaSubmitted), until=lambda e: e)
        assert [a.name for a in submitted.attachments] == ["tukikirje.docx"]
        gone = await http.get(resume)
        assert gone.status_code == 410 and "Luonnos on vanhentunut" in gone.text


async def test_an_expired_draft_is_deleted_with_its_files_and_its_link_says_so(start_intake) -> None:
    async with start_intake() as (runtime, http):
        page = await start_form(http)
        saved = await form_post(
            http,
            "/ideas/new",
            [("contact.email", "maija@example.fi"), *page, ("action", "draft")],
            [("kuva.png", PNG_BYTES)],
        )
        assert saved.status_code == 200
        draft = await runtime.db["drafts"].find_one({})
        resume = runtime.container.links.draft_url(draft["_id"]).removeprefix(PUBLIC)
        assert (await http.get(resume)).status_code == 200

        uploads = runtime.container.uploads
        real_clock = uploads.clock
        uploads.clock = lambda: real_clock() + timedelta(days=runtime.settings.draft_max_age_days, minutes=1)
        assert await uploads.sweep() == 1
        uploads.clock = real_clock
        assert await runtime.db["drafts"].count_documents({}) == 0
        assert await runtime.db["attachments"].count_documents({}) == 0
        assert await runtime.db["attachment_chunks"].count_documents({}) == 0
        gone = await http.get(resume)
        assert gone.status_code == 410 and "Luonnos on vanhentunut" in gone.text
        assert "30 päivää" in gone.text


async def test_a_text_field_is_bounded_in_the_multipart_form_as_in_the_plain_one(start_intake) -> None:
    async with start_intake() as (runtime, http):
        page = await start_form(http)
        answer = await form_post(
            http,
            "/ideas/new",
            [("description", "x" * (70 * 1024)), *page, ("action", "draft"), ("contact.email", "maija@example.fi")],
            [],
        )
        assert answer.status_code == 413 and "Lähetetty tieto on liian suuri" in answer.text, answer.text[:300]
        assert await runtime.db["drafts"].count_documents({}) == 0
