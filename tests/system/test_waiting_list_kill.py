"""The waiting list across a real SIGKILL: intake as a `python -m koonto.intake` process, killed between the
cancellation and the promotion it allows, then started again.

Intake cancels and promotes in the request (`use_cases/registrations.py`: `cancel`, then `fill_seats_now`), each
a compare-and-set on one registration carrying its event. The kill comes from outside the process: a proxy
between intake and the store (`tests/support/wiretap.py`) SIGKILLs it when the store answers the cancellation's
write, so the cancellation (and its registration-cancelled in the document's outbox) is stored, while the request
never learns it and never promotes anyone, and the fast path never publishes. After the restart the outbox scan
publishes registration-cancelled, its consumer fills the seat: exactly one promotion, the first waiting, no
over-fill; the link clicked again says it was cancelled already. The in-process variant (an injected exception
in `fill_seats`) is tests/intake/integration/test_cancellations.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from pymongo import AsyncMongoClient

from koonto.shared.contracts.intake import RegistrationCancelled, RegistrationPromoted, RegistrationReceived
from tests.intake.helpers import hidden, post_form, publish, stream_events
from tests.intake.integration.test_registrations import scheduled, sign_up
from tests.support.polling import eventually, stays
from tests.support.servers import free_port
from tests.support.staff import TEST_JWKS_JSON
from tests.support.wiretap import StoreTap


@contextlib.asynccontextmanager
async def intake_process(env: dict[str, str], log: Path) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """Intake as a real process (started without blocking the loop the proxy runs on); ready when it yields."""
    port = free_port()
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "koonto.intake",
            env={**env, "KOONTO_HTTP_PORT": str(port), "KOONTO_HTTP_HOST": "127.0.0.1"},
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    async def ready() -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"{base}/readyz")).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        await eventually(ready, timeout=60, what="intake ready")
        yield proc, base
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def path_of(url: str) -> str:
    return urlsplit(url).path


async def test_intake_sigkilled_between_the_cancellation_and_the_promotion_promotes_the_right_one_once(
    clean_stream: str, mongo_url: str, db_names: dict[str, str], tmp_path: Path
) -> None:
    store = urlsplit(mongo_url)
    tap = StoreTap(store.hostname or "127.0.0.1", store.port or 27017)
    async with tap.running():
        env = {
            **os.environ,
            "KOONTO_MODE": "test",
            "KOONTO_NATS_URL": clean_stream,
            "KOONTO_MONGO_URL": f"mongodb://127.0.0.1:{tap.port}/",
            "KOONTO_MONGO_DATABASE": db_names["intake"],
            "KOONTO_DATA_DIR": str(tmp_path / "data"),
            "KOONTO_STAFF_JWKS_URL": TEST_JWKS_JSON,
            "KOONTO_MIN_FILL_SECONDS": "0",
            "KOONTO_RATE_LIMIT_REQUESTS": "1000",
            "KOONTO_LOG_JSON": "false",
            "KOONTO_OUTBOX_POLL_SECONDS": "0.2",
            "KOONTO_CONSUMER_BACKOFF_BASE_SECONDS": "0.05",
            "KOONTO_CONSUMER_BACKOFF_MAX_SECONDS": "0.5",
        }
        event = scheduled(capacity=2)
        log = tmp_path / "intake.log"
        async with intake_process(env, log) as (proc, base), httpx.AsyncClient(base_url=base) as http:
            await publish(clean_stream, event)
            await eventually(
                lambda: http.get("/api/v1/events"),
                what="the event listed",
                until=lambda r: any(e["scheduled_event_id"] == event.scheduled_event_id for e in r.json()),
            )
            regs = []
            for n in range(4):
                answer = await http.post(
                    "/api/v1/registrations", json=sign_up(event.scheduled_event_id, f"kill{n}@example.fi")
                )
                assert answer.status_code == 201, answer.text
                regs.append(answer.json())
            assert [r["status"] for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
            received = await eventually(
                lambda: stream_events(clean_stream, RegistrationReceived.event_type()),
                until=lambda e: len(e) == 4,
                what="four sign-ups on the stream",
            )
            link = {e.data["registration_id"]: e.data["cancel_url"] for e in received}[regs[0]["registration_id"]]
            page = await http.get(path_of(link))
            assert page.status_code == 200

            tap.kill_after(b"cancelled:", proc.pid)  # the cancellation's write: its released sign-up key
            with contextlib.suppress(httpx.HTTPError):
                await post_form(http, path_of(link), {"csrf_token": hidden(page.text, "csrf_token")})
            await asyncio.wait_for(tap.killed.wait(), 30)
            assert await asyncio.wait_for(proc.wait(), 30) == -9  # SIGKILL

        db = AsyncMongoClient[dict](mongo_url, tz_aware=True)[db_names["intake"]]
        try:
            docs = {d["registration_id"]: d async for d in db["registrations"].find({})}
            assert docs[regs[0]["registration_id"]]["status"] == "cancelled"  # written, with its event in the outbox
            assert docs[regs[2]["registration_id"]]["status"] == "waitlisted"  # nobody promoted before the kill
            assert await stream_events(clean_stream, RegistrationPromoted.event_type()) == []

            async with intake_process(env, log) as (proc, base), httpx.AsyncClient(base_url=base) as http:
                promoted = await eventually(
                    lambda: stream_events(clean_stream, RegistrationPromoted.event_type()),
                    until=lambda e: len(e) >= 1,
                    timeout=60,
                    what="promoted after restart",
                )
                assert [e.data["registration_id"] for e in promoted] == [regs[2]["registration_id"]]
                await stays(
                    lambda: stream_events(clean_stream, RegistrationPromoted.event_type()),
                    until=lambda e: len(e) == 1,
                    duration=1.5,
                )
                cancelled = await stream_events(clean_stream, RegistrationCancelled.event_type())
                assert [e.data["registration_id"] for e in cancelled] == [regs[0]["registration_id"]]
                again = await http.get(path_of(link))
                assert "Ilmoittautuminen oli jo peruttu." in again.text or "peruttu" in again.text.lower()

            statuses = [d["status"] async for d in db["registrations"].find({}).sort("seq", 1)]
            assert statuses == ["cancelled", "confirmed", "confirmed", "waitlisted"]  # two seats, never three
        finally:
            await db.client.close()
