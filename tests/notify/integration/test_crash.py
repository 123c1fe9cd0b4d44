"""Killing notify between the provider's acceptance and the "sent" record, then restarting: no second mail."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import nats
from pymongo import MongoClient

from koonto.devsinks import MailSink
from tests.support.samples import envelope, idea_submitted
from tests.support.services import service_process, wait_http
from tests.support.staff import TEST_JWKS_JSON


def _wait(condition, timeout: float = 60.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s")
        time.sleep(0.05)


async def _publish(nats_url: str, env, msg_id: str | None = None) -> None:  # type: ignore[no-untyped-def]
    nc = await nats.connect(nats_url)
    try:
        headers = {"Nats-Msg-Id": msg_id or env.id}
        await nc.jetstream().publish(env.type, env.model_dump_json().encode(), headers=headers)
    finally:
        await nc.close()


async def test_kill_after_the_mail_server_accepted_and_restart_sends_no_second_mail(
    clean_stream: str, mongo_url: str, db_names: dict[str, str], mail_sink: MailSink, tmp_path: Path
) -> None:
    env = {
        "KOONTO_NATS_URL": clean_stream,
        "KOONTO_MONGO_URL": mongo_url,
        "KOONTO_MONGO_DATABASE": db_names["notify"],
        "KOONTO_MODE": "test",
        "KOONTO_DATA_DIR": str(tmp_path / "data"),
        "KOONTO_SMTP_PORT": str(mail_sink.port),
        "KOONTO_STAFF_JWKS_URL": TEST_JWKS_JSON,
        "KOONTO_WORKER_POLL_SECONDS": "0.1",
        "KOONTO_DELIVERY_LEASE_SECONDS": "2",
        "KOONTO_LOG_JSON": "false",
    }
    db = MongoClient[dict](mongo_url, tz_aware=True)[db_names["notify"]]
    event = envelope(idea_submitted())
    with service_process("notify", env=env, log_dir=tmp_path) as (proc, base):
        wait_http(f"{base}/readyz", timeout=60)
        # the mail server keeps the message, and the service dies before it reads the server's "250"
        mail_sink.on_message = lambda _record: os.kill(proc.pid, signal.SIGKILL)
        await _publish(clean_stream, event)
        _wait(lambda: proc.poll() is not None, what="notify killed mid-send")
    mail_sink.on_message = None
    assert len(mail_sink.messages) == 1
    [left] = list(db["delivery_queue"].find())
    assert left["status"] == "sending"  # the claim was written before the provider call

    with service_process("notify", env=env, log_dir=tmp_path) as (proc, base):
        wait_http(f"{base}/readyz", timeout=60)
        settled = _wait(lambda: db["delivery_queue"].find_one({"status": "unconfirmed"}), what="settled after lease")
        assert settled["_id"] == left["_id"]
        # the same event redelivered (past the stream's duplicate window) changes nothing either
        await _publish(clean_stream, event, msg_id=f"{event.id}-again")
        again = envelope(idea_submitted())
        await _publish(clean_stream, again)  # the service is alive and sending
        _wait(lambda: len(mail_sink.messages) == 2, what="the next receipt")
    recipients = [m["message_id"] for m in mail_sink.messages]
    assert len(set(recipients)) == 2  # one mail per event: the killed send was not repeated


async def test_kill_before_the_message_data_was_sent_resends_it_once(
    clean_stream: str, mongo_url: str, db_names: dict[str, str], mail_sink: MailSink, tmp_path: Path
) -> None:
    """Died after claiming but before SMTP DATA: provably nothing was sent, so recovery sends it (once)."""
    env = {
        "KOONTO_NATS_URL": clean_stream,
        "KOONTO_MONGO_URL": mongo_url,
        "KOONTO_MONGO_DATABASE": db_names["notify"],
        "KOONTO_MODE": "test",
        "KOONTO_DATA_DIR": str(tmp_path / "data"),
        "KOONTO_SMTP_PORT": str(mail_sink.port),
        "KOONTO_STAFF_JWKS_URL": TEST_JWKS_JSON,
        "KOONTO_WORKER_POLL_SECONDS": "0.1",
        "KOONTO_DELIVERY_LEASE_SECONDS": "2",
        "KOONTO_LOG_JSON": "false",
    }
    event = envelope(idea_submitted())
    with service_process("notify", env=env, log_dir=tmp_path) as (proc, base):
        wait_http(f"{base}/readyz", timeout=60)
        mail_sink.on_rcpt = lambda _address: os.kill(proc.pid, signal.SIGKILL)
        await _publish(clean_stream, event)
        _wait(lambda: proc.poll() is not None, what="notify killed mid-transaction")
    mail_sink.on_rcpt = None
    assert mail_sink.messages == []

    with service_process("notify", env=env, log_dir=tmp_path) as (proc, base):
        wait_http(f"{base}/readyz", timeout=60)
        _wait(lambda: len(mail_sink.messages) == 1, what="the receipt sent after recovery")
        await asyncio.sleep(1.5)  # a second send would show up now
    assert len(mail_sink.messages) == 1
