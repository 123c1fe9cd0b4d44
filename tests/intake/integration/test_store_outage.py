"""A store that is stopped answers 503 with Retry-After (never 500), a frozen one cannot hang a request past its
bound, and every request that got 201 is stored once the store is back (docs/operations.md, "Store outages")."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import uuid
from pathlib import Path
from typing import Any

import httpx

from koonto.intake.main import create_runtime
from koonto.shared.runtime import Runtime
from tests.intake.helpers import form_pairs, hidden, idea_body, post_form
from tests.intake.integration.conftest import PUBLIC, intake_settings
from tests.support.polling import eventually
from tests.support.servers import LocalServer, mongo_server
from tests.support.services import client, running

REQUEST_BOUND = 2.0  # KOONTO_REQUEST_TIMEOUT_SECONDS for this test; the socket timeout is set far above HANG
# a request still unanswered after this long hangs (without the bound it waits for the store to come back)
HANG = 20.0
STORE_TIMEOUTS: dict[str, Any] = {
    "mongo_server_selection_timeout_ms": 1000, "mongo_connect_timeout_ms": 500, "mongo_socket_timeout_ms": 60_000,
    "request_timeout_seconds": REQUEST_BOUND, "unavailable_retry_after_seconds": 7,
}
UNAVAILABLE_FI = "Palvelu ei juuri nyt pysty käsittelemään pyyntöäsi. Yritä uudelleen noin 7 sekunnin kuluttua."
UNAVAILABLE_SV = "Tjänsten kan inte behandla din begäran just nu. Försök igen om cirka 7 sekunder."


def _idea(n: int) -> dict[str, Any]:
    return idea_body(title=f"Idea katkon aikana {n}", consents={"privacy_notice": True})


async def _submit(http: httpx.AsyncClient, key: str, n: int, **headers: str) -> httpx.Response:
    async with asyncio.timeout(HANG):  # TimeoutError here = the request hung
        return await http.post("/api/v1/ideas", json=_idea(n), headers={"Idempotency-Key": key, **headers})


async def _public_requests(
    http: httpx.AsyncClient, form: list[tuple[str, str]], status_path: str
) -> dict[str, httpx.Response]:
    """One of each public request that needs the store: the JSON API and the pages."""
    async with asyncio.timeout(HANG):
        return {
            "POST /api/v1/ideas": await http.post("/api/v1/ideas", json=_idea(99)),
            "POST /api/v1/subscriptions": await http.post("/api/v1/subscriptions", json={
                "email": "liisa@example.fi", "topics": ["call_announcements"], "consents": {"privacy_notice": True}}),
            "GET /api/v1/events": await http.get("/api/v1/events"),
            "GET /events": await http.get("/events"),
            "POST /ideas/confirm": await post_form(http, "/ideas/confirm", [*form, ("action", "submit")]),
            "GET /status/{token}": await http.get(status_path),
        }


def _assert_unavailable(answers: dict[str, httpx.Response]) -> None:
    for what, answer in answers.items():
        assert answer.status_code == 503, (what, answer.status_code, answer.text[:300])
        assert answer.headers["retry-after"] == "7", what
        if what.split()[1].startswith("/api/"):
            assert answer.json() == {"detail": UNAVAILABLE_FI}, what
        else:
            assert answer.headers["content-type"].startswith("text/html"), what
            assert UNAVAILABLE_FI in answer.text and "<h1>Palvelu on tilapäisesti poissa käytöstä</h1>" in answer.text
    assert "Jos lähetit lomakkeen" in answers["POST /ideas/confirm"].text  # the sender knows to send it again


async def _stored_references(runtime: Runtime) -> set[str]:
    return {d["reference"] async for d in runtime.db["ideas"].find({}, {"reference": 1})}


async def _check_page_form(http: httpx.AsyncClient) -> list[tuple[str, str]]:
    """The hidden answers of the check page, as the browser sends them with "Lähetä"."""
    form = await http.get("/ideas/new")
    answers = form_pairs(idea_body(title="Lomakkeella lähetetty", consents={"privacy_notice": True}))
    check = await post_form(http, "/ideas/new", [*answers, ("form_token", hidden(form.text, "form_token"))])
    assert check.status_code == 200
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text)


async def test_stopped_and_frozen_store_answer_503_and_lose_nothing(
    clean_stream: str, db_names: dict[str, str], tmp_path: Path
) -> None:
    store = mongo_server(tmp_path)
    store.start()
    url = f"mongodb://127.0.0.1:{store.port}/"
    runtime = create_runtime(intake_settings(clean_stream, url, db_names["intake"], **STORE_TIMEOUTS))
    acknowledged: set[str] = set()
    try:
        async with running(runtime), client(runtime) as http:
            form = await _check_page_form(http)
            first = await _submit(http, "before", 0)
            assert first.status_code == 201
            acknowledged.add(first.json()["reference"])

            # stopped: every public request that needs the store is a 503 with Retry-After, never a 500
            store.stop()
            _assert_unavailable(await _public_requests(http, form, first.json()["status_url"].removeprefix(PUBLIC)))
            swedish = await _submit(http, "during-stop", 1, **{"Accept-Language": "sv"})
            assert swedish.status_code == 503 and swedish.json() == {"detail": UNAVAILABLE_SV}

            store.start()
            again = await eventually(lambda: _submit(http, "during-stop", 1), until=lambda r: r.status_code == 201,
                                     timeout=30, what="the refused idea accepted once the store is back")
            acknowledged.add(again.json()["reference"])

            # frozen: the store takes the connection and never answers; the request is answered within its bound
            await _freeze(store, http, acknowledged)
            assert acknowledged <= await _stored_references(runtime)
    finally:
        _thaw(store)
        store.stop()


async def _freeze(store: LocalServer, http: httpx.AsyncClient, acknowledged: set[str]) -> None:
    assert store.process is not None
    os.killpg(store.process.pid, signal.SIGSTOP)
    try:
        frozen = await _submit(http, "during-freeze", 2)  # raises TimeoutError when the request hangs
        assert frozen.status_code == 503 and frozen.headers["retry-after"] == "7"
        page = await _events_page(http)
        assert page.status_code == 503 and UNAVAILABLE_FI in page.text
    finally:
        _thaw(store)
    # the same idea sent again (the client's retry) is stored once: a new 201, or the replay of one written late
    retried = await eventually(lambda: _submit(http, "during-freeze", 2), until=lambda r: r.status_code in (200, 201),
                               timeout=30, what="the idea sent during the freeze accepted after it")
    acknowledged.add(retried.json()["reference"])
    fresh = await _submit(http, str(uuid.uuid4()), 3)
    assert fresh.status_code == 201
    acknowledged.add(fresh.json()["reference"])


async def _events_page(http: httpx.AsyncClient) -> httpx.Response:
    async with asyncio.timeout(HANG):
        return await http.get("/events")


def _thaw(store: LocalServer) -> None:
    if store.process is not None and store.process.poll() is None:
        os.killpg(store.process.pid, signal.SIGCONT)
