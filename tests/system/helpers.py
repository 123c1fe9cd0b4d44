"""Helpers for whole-system tests: publishing, counting events in the stream, staff API calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import nats

from koonto.shared.clock import HELSINKI
from tests.support.samples import envelope, idea_submitted
from tests.support.system import System

T = TypeVar("T")
ADMIN = {"username": "admin@koonto.test", "password": "admin-password-for-tests"}


def wait_until(probe: Callable[[], T], until: Callable[[T], bool], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    value = probe()
    while not until(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout}s; last: {value!r}")
        time.sleep(0.5)
        value = probe()
    return value


def subject_counts(system: System) -> dict[str, int]:
    async def counts() -> dict[str, int]:
        nc = await nats.connect(system.nats_url)
        try:
            info = await nc.jetstream().stream_info("KOONTO", subjects_filter="koonto.>")
            return dict(info.state.subjects or {})
        finally:
            await nc.close()

    return asyncio.run(counts())


def publish_ideas(system: System, count: int, tag: str) -> list[str]:
    async def publish() -> list[str]:
        nc = await nats.connect(system.nats_url)
        js = nc.jetstream()
        emails, pending = [], []
        for i in range(count):
            email = f"{tag}-{i}@example.fi"
            data = idea_submitted(
                reference=f"KOO-2026-{i + 1:04d}", submitted_at=datetime.now(UTC),
                contact={"name": f"Henkilö {i}", "email": email, "language": "fi", "channel": "email"},
            )
            env = envelope(data)
            emails.append(email)
            pending.append(js.publish(env.type, env.model_dump_json().encode(), headers={"Nats-Msg-Id": env.id}))
            if len(pending) >= 200:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        await nc.close()
        return emails

    return asyncio.run(publish())


def publish_raw(system: System, subject: str, body: bytes, msg_id: str) -> None:
    async def publish() -> None:
        nc = await nats.connect(system.nats_url)
        await nc.jetstream().publish(subject, body, headers={"Nats-Msg-Id": msg_id})
        await nc.close()

    asyncio.run(publish())


def admin_headers(system: System) -> dict[str, str]:
    response = httpx.post(f"{system.services['advisory'].url}/api/v1/token", data=ADMIN, timeout=10)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def ideas_in_report(system: System, headers: dict[str, str], day_from: str, day_to: str) -> int:
    response = httpx.get(
        f"{system.services['reporting'].url}/api/v1/reports/summary",
        params={"from": day_from, "to": day_to}, headers=headers, timeout=10,
    )
    response.raise_for_status()
    return int(response.json()["ideas"]["total"])


def receipts(system: System, prefix: str) -> dict[str, int]:
    """Receipt mails per recipient whose address starts with `prefix`."""
    counts: dict[str, int] = {}
    with system.mail.lock:
        for message in system.mail.messages:
            to = str(message.get("To", ""))
            if prefix in to:
                counts[to] = counts.get(to, 0) + 1
    return counts


def message_ids(system: System, prefix: str) -> dict[str, set[str]]:
    """The distinct Message-IDs received per recipient whose address contains `prefix`."""
    ids: dict[str, set[str]] = {}
    with system.mail.lock:
        for message in system.mail.messages:
            to = str(message.get("To", ""))
            if prefix in to:
                ids.setdefault(to, set()).add(str(message.get("Message-ID", "")))
    return ids


def idea_payload(i: int, tag: str) -> dict[str, Any]:
    return {
        "organisation": {"name": f"Yhdistys {tag} {i} ry", "type": "registered_association",
                         "business_id": "1572860-0", "municipality": "varkaus"},
        "contact": {"name": f"Henkilö {i}", "email": f"{tag}-{i}@example.fi", "language": "fi", "channel": "email"},
        "title": f"Idea {tag} {i}",
        "description": "Kuvaus ideasta.",
        "themes": ["inclusion"],
        "consents": {"privacy_notice": True},
    }


def unconfirmed(system: System, headers: dict[str, str], prefix: str) -> list[dict[str, str]]:
    """Deliveries notify holds as "unconfirmed" (outcome at the provider unknown) to addresses with `prefix`."""
    response = httpx.get(f"{system.services['notify'].url}/api/v1/notifications",
                         params={"status": "unconfirmed", "limit": 1000}, headers=headers, timeout=10)
    response.raise_for_status()
    return [{"id": d["id"], "address": d["address"]} for d in response.json()["items"]
            if prefix in str(d.get("address", ""))]


def this_month() -> tuple[str, str]:
    """The current month in Helsinki as report bounds (submissions made now are counted in it; `publish_ideas`
    stamps its ideas with the time they are published, so a fixed sample date cannot fall outside it)."""
    today = datetime.now(HELSINKI).date()
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first.isoformat(), last.isoformat()
