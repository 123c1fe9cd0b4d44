"""Every request is bounded: a handler that does not answer within KOONTO_REQUEST_TIMEOUT_SECONDS is cancelled and
the client gets 503 with Retry-After in its language (JSON for the API, a page for a browser); an answer already
streaming is not cut. The store-outage half of this is tests/intake/integration/test_store_outage.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from fastapi.responses import StreamingResponse

from koonto.intake.main import create_runtime
from koonto.intake.settings import IntakeSettings
from koonto.shared.runtime import Runtime

BOUND = 0.2
NEVER = asyncio.Event()  # nothing sets it: a handler waiting on it is a frozen dependency


def _runtime() -> Runtime:
    # the store and NATS are never reached: the client connects lazily and the app's lifespan is not run
    runtime = create_runtime(IntakeSettings(
        mode="test", mongo_url="mongodb://127.0.0.1:1", nats_url="nats://127.0.0.1:1", log_json=False,
        request_timeout_seconds=BOUND, unavailable_retry_after_seconds=9,
    ))

    async def frozen() -> dict[str, str]:
        await NEVER.wait()
        return {"never": "answered"}

    async def streaming() -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            yield b"first,"
            await asyncio.sleep(BOUND * 3)  # past the bound, after the answer started
            yield b"second"

        return StreamingResponse(body(), media_type="text/csv")

    runtime.app.add_api_route("/api/v1/frozen", frozen)
    runtime.app.add_api_route("/frozen-page", frozen)
    runtime.app.add_api_route("/api/v1/export", streaming)
    return runtime


async def _get(path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_runtime().app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http, asyncio.timeout(10):
        return await http.get(path, headers=headers)  # TimeoutError here: the request hung


async def test_a_request_over_its_bound_answers_503_with_retry_after_in_the_users_language() -> None:
    api = await _get("/api/v1/frozen")
    assert api.status_code == 503 and api.headers["retry-after"] == "9"
    assert api.json() == {"detail": "Palvelu ei juuri nyt pysty käsittelemään pyyntöäsi. Yritä uudelleen noin 9 "
                                    "sekunnin kuluttua."}
    english = await _get("/api/v1/frozen", **{"Accept-Language": "en"})
    assert english.json()["detail"] == "The service cannot handle your request right now. Please try again in about 9 "\
                                       "seconds."
    page = await _get("/frozen-page?lang=sv")
    assert page.status_code == 503 and page.headers["retry-after"] == "9"
    assert page.headers["content-type"].startswith("text/html") and '<html lang="sv">' in page.text
    assert "<h1>Tjänsten är tillfälligt otillgänglig</h1>" in page.text and "Hoppa till huvudinnehållet" in page.text


async def test_an_answer_already_streaming_is_not_cut_by_the_bound() -> None:
    export = await _get("/api/v1/export")
    assert export.status_code == 200 and export.text == "first,second"
