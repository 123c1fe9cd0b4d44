"""The sink's web page over real HTTP, with mail sent over real SMTP: the list, one message opened (headers, text,
the HTML part sandboxed, attachments), SMS, Helsinki time and answers for what is not there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from koonto.devsinks import MailSink, SmsSink
from tests.devsinks.integration.sample import HOSTILE_HTML, ICS, send_sample


@pytest.fixture
def sinks(tmp_path: Path) -> Iterator[tuple[MailSink, SmsSink]]:
    mail = MailSink(tmp_path / "mail").start()
    sms = SmsSink(tmp_path / "sms", mail_dir=tmp_path / "mail").start()
    yield mail, sms
    sms.stop()
    mail.stop()


def helsinki_text(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, ZoneInfo("Europe/Helsinki"))
    return f"{moment.day}.{moment.month}.{moment.year} klo {moment:%H.%M.%S}"


def message_id(record: dict[str, object]) -> str:
    return str(record["file"]).removesuffix(".eml")


def test_the_list_shows_every_mail_and_sms_newest_first_in_helsinki_time(sinks: tuple[MailSink, SmsSink]) -> None:
    mail, sms = sinks
    first = send_sample(mail, "Ensimmäinen")
    second = send_sample(mail, "Toinen <script>alert(1)</script>")
    posted = httpx.post(f"{sms.url}/2010-04-01/Accounts/AC1/Messages.json",
                        data={"To": "+358401234567", "From": "Koonto", "Body": "Muistutus: työpaja huomenna <b>"})
    assert posted.status_code == 201
    page = httpx.get(sms.url + "/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none': no script at all
    body = page.text
    assert '<html lang="fi">' in body and "<h1>Paikallisesti vastaanotetut viestit</h1>" in body
    assert "Sähköpostit (2)" in body and "Tekstiviestit (1)" in body
    assert body.index("Toinen") < body.index("Ensimmäinen")  # newest first
    assert f'href="mail/{message_id(first)}"' in body and f'href="mail/{message_id(second)}"' in body
    assert "<script>alert(1)</script>" not in body and "Toinen &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "Muistutus: työpaja huomenna &lt;b&gt;" in body and "+358401234567" in body
    assert helsinki_text(float(str(first["received_at"]))) in body
    sms_time = httpx.get(f"{sms.url}/_messages").json()[0]["received_at"]
    assert helsinki_text(sms_time) in body


def test_an_opened_mail_shows_headers_text_attachments_and_the_html_part_only_in_a_sandbox(
    sinks: tuple[MailSink, SmsSink],
) -> None:
    mail, sms = sinks
    record = send_sample(mail)
    mid = message_id(record)
    page = httpx.get(f"{sms.url}/mail/{mid}")
    assert page.status_code == 200
    body = page.text
    assert "<h1>Ilmoittautuminen &lt;b&gt;vahvistettu&lt;/b&gt;</h1>" in body
    for header in ("<dt>Lähettäjä (From)</dt><dd>Koonto &lt;koonto@example.fi&gt;</dd>",
                   "<dt>Vastausosoite (Reply-To)</dt><dd>Neuvoja &lt;neuvoja@example.fi&gt;</dd>",
                   "<dt>Vastaanottaja (To)</dt><dd>maija.meikalainen@example.fi</dd>",
                   "<dt>Päiväys (Date)</dt><dd>Wed, 02 Dec 2026 14:05:09 +0000"
                   " (2.12.2026 klo 16.05.09 Suomen aikaa)</dd>"):
        assert header in body
    assert "<dt>Content-Type</dt><dd>multipart/mixed" in body  # every other header, behind a disclosure
    assert "ilmoittautumisesi työpajaan on vastaanotettu." in body  # the text part
    assert helsinki_text(float(str(record["received_at"]))) in body
    # the HTML part never inline: a sandboxed frame (no allow-scripts) of a route with a sandbox CSP
    assert "<script>" not in body and "Tervetuloa työpajaan" not in body
    assert f'<iframe class="html" sandbox src="{mid}/html" title="Viestin HTML-osa"' in body
    html_part = httpx.get(f"{sms.url}/mail/{mid}/html")
    assert html_part.status_code == 200
    policy = html_part.headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy and "script-src" not in policy
    assert html_part.text.strip() == HOSTILE_HTML  # as sent: the policy, not a rewrite, keeps it inert
    # the attachment, downloadable with its name, type and charset
    assert f'href="{mid}/part/2" download>tyopaja.ics</a>' in body and "text/calendar; utf-8" in body
    ics = httpx.get(f"{sms.url}/mail/{mid}/part/2")
    assert ics.status_code == 200
    assert ics.headers["content-type"] == "text/calendar; charset=utf-8"
    assert ics.headers["content-disposition"] == "attachment; filename*=UTF-8''tyopaja.ics"
    assert ics.content.decode("utf-8") == ICS and "työpaja" in ics.content.decode("utf-8")
    raw = httpx.get(f"{sms.url}/mail/{mid}/raw")
    assert raw.headers["content-type"] == "message/rfc822"
    assert raw.content == (Path(mail.directory or ".") / f"{mid}.eml").read_bytes()


def test_what_is_not_there_answers_404_in_finnish_and_no_path_leaves_the_folder(
    sinks: tuple[MailSink, SmsSink],
) -> None:
    mail, sms = sinks
    mid = message_id(send_sample(mail))
    for path in ("/mail/20990101-000000-00000000", f"/mail/{mid}/part/9", "/mail/..%2Findex.jsonl",
                 "/mail/../index.jsonl", f"/mail/{mid}/nothing", "/no-such-page"):
        answer = httpx.get(sms.url + path)
        assert answer.status_code == 404, path
        assert "<h1>Viestiä ei löydy</h1>" in answer.text and "<title>Virhe:" in answer.text
    missing = httpx.get(f"{sms.url}/mail/{mid}/part/9")
    assert '<a href="../../../">Kaikki viestit</a>' in missing.text  # relative: works behind a /sms/ prefix too


def test_a_mail_without_html_or_attachments_says_so(sinks: tuple[MailSink, SmsSink]) -> None:
    import smtplib
    from email.message import EmailMessage

    mail, sms = sinks
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.fi", "b@example.fi", "Pelkkä teksti"
    message.set_content("Vain tekstiä.")
    with smtplib.SMTP(mail.host, mail.port, timeout=10) as smtp:
        smtp.send_message(message)
    body = httpx.get(f"{sms.url}/mail/{message_id(mail.messages[-1])}").text
    assert "Viestissä ei ole HTML-osaa." in body and "Ei liitteitä." in body and "Vain tekstiä." in body
    assert "<iframe" not in body
