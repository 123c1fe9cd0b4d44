"""Crypto-shredding, end to end: after a person's erasure, the raw KOONTO stream holds none of their data in plain
text and nothing of theirs can be opened any more, while another person's data still opens; a reporting replay
after the erasure gives the same numbers. The four services as processes on real NATS and a real store."""

from __future__ import annotations

import asyncio
import base64
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.message import Message
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import nats
import nats.js.errors
from pymongo import MongoClient

from koonto.shared.sealing.cipher import PREFIX, kid_of, open_sealed
from koonto.shared.settings import LOCAL_ONLY_KEY_STORE_TOKEN
from tests.support.system import System, running_system
from tests.system.helpers import admin_headers, idea_payload, this_month, wait_until

MAIJA = {"name": "Maija Poistettava", "email": "maija.poistettava@example.fi", "phone": "+358401112233"}
PEKKA = {"name": "Pekka Pysyvä", "email": "pekka.pysyva@example.fi", "phone": "+358405556677"}
STREAM = "KOONTO"


def stream_messages(system: System) -> list[tuple[str, bytes]]:
    """Every message of every subject in the stream, raw, as a backup of it would hold them."""

    async def read() -> list[tuple[str, bytes]]:
        nc = await nats.connect(system.nats_url)
        try:
            js = nc.jetstream()
            info = await js.stream_info(STREAM)
            found = []
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                try:
                    msg = await js.get_msg(STREAM, seq)
                except nats.js.errors.NotFoundError:
                    continue
                found.append((msg.subject, msg.data or b""))
            return found
        finally:
            await nc.close()

    return asyncio.run(read())


def mail_text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    texts = []
    for part in parts:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return unescape("\n".join(texts))


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name}"
    return unescape(found.group(1))


def submit_everything(system: System, http: httpx.Client, staff: dict[str, str], who: dict[str, str], tag: str) -> str:
    """An idea, a registration and a confirmed subscription of one person, and an advisor's message to them;
    returns the idea's status link."""
    intake = system.services["intake"].url
    idea = idea_payload(0, tag) | {"contact": {**who, "language": "fi", "channel": "email"}}
    submitted = http.post(f"{intake}/api/v1/ideas", json=idea)
    assert submitted.status_code == 201, submitted.text
    starts = (datetime.now(UTC) + timedelta(days=20)).isoformat()
    scheduled = http.post(f"{system.services['advisory'].url}/api/v1/events", headers=staff, json={
        "title": f"Koulutus {tag}", "kind": "training", "starts_at": starts, "capacity": 10, "municipality": "kuopio",
        "place": "Kuopion kirjasto",
    })
    assert scheduled.status_code == 201, scheduled.text
    event_id = scheduled.json()["scheduled_event_id"]

    def registered() -> int:
        return http.post(f"{intake}/api/v1/registrations", json={
            "scheduled_event_id": event_id, "participant": {**who, "language": "fi", "channel": "email"},
            "consents": {"privacy_notice": True},
        }).status_code

    wait_until(registered, lambda status: status in (200, 201), timeout=30, what="registration accepted")
    asked = http.post(f"{intake}/api/v1/subscriptions", json={
        "email": who["email"], "topics": ["newsletter"], "consents": {"privacy_notice": True},
    })
    assert asked.status_code == 202, asked.text
    pattern = re.compile(rf"{re.escape(intake)}/subscriptions/confirm/[^\s\"<>]+")
    links = wait_until(lambda: [m for mail in system.mail.to(who["email"]) for m in pattern.findall(mail_text(mail))],
                       bool, timeout=30, what="subscription confirmation mail")
    page = http.get(links[0])
    assert http.post(links[0], data={"csrf_token": hidden(page.text, "csrf_token")}).status_code == 200

    def case_id() -> str | None:
        cases = http.get(f"{system.services['advisory'].url}/api/v1/cases", headers=staff, params={"limit": 200})
        items = cases.json() if cases.status_code == 200 else []
        return next((c["case_id"] for c in items if c.get("reference") == submitted.json()["reference"]), None)

    case = wait_until(case_id, bool, timeout=30, what="case opened")
    written = http.post(f"{system.services['advisory'].url}/api/v1/cases/{case}/messages", headers=staff,
                        json={"body": f"Hei {who['name']}, soitetaan numeroon {who['phone']}."})
    assert written.status_code == 201, written.text
    return str(submitted.json()["status_url"])


def key(system: System, kid: str) -> bytes | None:
    """A key as the key store serves it (None: destroyed)."""
    response = httpx.get(f"{system.services['intake'].url}/internal/v1/subject-keys/{kid}",
                         headers={"Authorization": f"Bearer {LOCAL_ONLY_KEY_STORE_TOKEN}"}, timeout=10)
    assert response.status_code in (200, 404), response.text
    return base64.b64decode(response.json()["key"]) if response.status_code == 200 else None


def sealed_values(body: bytes) -> list[str]:
    return re.findall(rf'"({re.escape(PREFIX)}[^"]+)"', body.decode())


def plain_traces(who: dict[str, str]) -> list[str]:
    local = who["email"].split("@")[0]
    return [who["name"], who["name"].split()[1], who["email"], local, who["phone"], who["phone"][4:]]


def report(system: System, staff: dict[str, str]) -> Any:
    day_from, day_to = this_month()
    response = httpx.get(f"{system.services['reporting'].url}/api/v1/reports/summary",
                         params={"from": day_from, "to": day_to}, headers=staff, timeout=10)
    response.raise_for_status()
    return {k: v for k, v in response.json().items() if k != "generated_at"}


def test_after_an_erasure_the_stream_holds_nothing_of_the_person_that_can_be_read(tmp_path: Path) -> None:
    with running_system(tmp_path, extra_env={"KOONTO_KEY_SHRED_INTERVAL_SECONDS": "0.5"}) as system, \
            httpx.Client(timeout=15, follow_redirects=False) as http:
        staff = admin_headers(system)
        maija_status = submit_everything(system, http, staff, MAIJA, "maija")
        submit_everything(system, http, staff, PEKKA, "pekka")

        # before the erasure the stream carries both people sealed, never in plain text, and both open
        wait_until(lambda: sum(s.endswith("association-messaged.v1") for s, _ in stream_messages(system)),
                   lambda n: n == 2, timeout=30, what="both messages published")
        before = stream_messages(system)
        for who in (MAIJA, PEKKA):
            assert [t for _, body in before for t in plain_traces(who) if t in body.decode()] == []
        opened = {open_sealed(v, key(system, str(kid_of(v)))) for _, body in before for v in sealed_values(body)}
        assert {MAIJA["email"], MAIJA["name"], PEKKA["email"], PEKKA["name"]} <= opened

        page = http.get(f"{maija_status}/erase")
        assert http.post(f"{maija_status}/erase", data={"csrf_token": hidden(page.text, "csrf_token")}
                         ).status_code == 303
        intake_db: Any = MongoClient(system.mongo_url)["intake"]
        wait_until(lambda: intake_db["subject_key_shreds"].count_documents({"done": True}), lambda n: n == 1,
                   timeout=60, what="Maija's keys destroyed")
        # notify opened the sealed erasure request before the keys went: it could mail the confirmation
        wait_until(lambda: [m for m in system.mail.to(MAIJA["email"]) if "Tietonne on poistettu" in str(m["Subject"])],
                   bool, timeout=30, what="the erasure confirmation")

        after = stream_messages(system)
        assert {s for s, _ in after} >= {
            "koonto.intake.idea-submitted.v1", "koonto.intake.registration-received.v1",
            "koonto.intake.subscription-requested.v1", "koonto.intake.subscription-confirmed.v1",
            "koonto.intake.erasure-requested.v1", "koonto.advisory.association-messaged.v1",
        }
        assert [t for _, body in after for t in plain_traces(MAIJA) if t in body.decode()] == []
        still_open = [open_sealed(v, key(system, str(kid_of(v)))) for _, body in after for v in sealed_values(body)]
        assert [t for text in still_open for t in plain_traces(MAIJA) if t in text] == []
        assert {PEKKA["email"], PEKKA["name"], PEKKA["phone"]} <= set(still_open)
        assert any(PEKKA["phone"] in text for text in still_open)  # his message body

        # reporting rebuilt from the stream after the erasure counts the same
        numbers = report(system, staff)
        assert numbers["ideas"]["total"] == 2
        replay = subprocess.run([sys.executable, "-m", "koonto.reporting.replay", "--no-progress"],
                                env=system.services["reporting"].env, capture_output=True, timeout=120)
        assert replay.returncode == 0, replay.stderr.decode()[-2000:]
        assert report(system, staff) == numbers
