"""The one layer at a service's edge (`koonto.shared.edge.RequestEdge`): what a browser, Prometheus and a trace
collector see of a request — the language chosen and remembered, the request counted under its route and status,
the caller's trace continued — on a service's real app, through ASGI (the store and NATS are never reached)."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY

from koonto.intake.main import create_runtime
from koonto.intake.settings import IntakeSettings
from koonto.shared import tracing
from koonto.shared.i18n import current_language

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def _app():  # type: ignore[no-untyped-def]
    runtime = create_runtime(IntakeSettings(
        mode="test", mongo_url="mongodb://127.0.0.1:1", nats_url="nats://127.0.0.1:1", log_json=False,
    ))

    async def spoken(item: str, request: Request) -> dict[str, str]:
        return {"gettext": current_language(), "state": request.state.language, "item": item}

    async def own_language() -> JSONResponse:
        return JSONResponse({"ok": True}, headers={"Content-Language": "se"})

    async def broken() -> None:
        raise RuntimeError("boom")

    runtime.app.add_api_route("/api/v1/spoken/{item}", spoken)
    runtime.app.add_api_route("/api/v1/own-language", own_language)
    runtime.app.add_api_route("/api/v1/broken", broken)
    return runtime.app


async def _get(path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http, asyncio.timeout(10):
        return await http.get(path, headers=headers)


def _count(route: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "koonto_http_requests_total", {"service": "intake", "method": "GET", "route": route, "status": status}
    )
    return value or 0.0


async def test_the_language_is_negotiated_set_for_the_handler_and_an_explicit_choice_is_remembered() -> None:
    by_header = await _get("/api/v1/spoken/a", **{"Accept-Language": "en-GB;q=0.4, sv;q=0.9"})
    assert by_header.json() == {"gettext": "sv", "state": "sv", "item": "a"}
    assert by_header.headers["content-language"] == "sv"
    assert "set-cookie" not in by_header.headers

    chosen = await _get("/api/v1/spoken/a?lang=en", Cookie="koonto_lang=sv")
    assert chosen.json()["gettext"] == "en" and chosen.headers["content-language"] == "en"
    cookie = chosen.headers["set-cookie"].lower()
    assert cookie.startswith("koonto_lang=en;") and "httponly" in cookie and "samesite=lax" in cookie
    assert "max-age=31536000" in cookie

    remembered = await _get("/api/v1/spoken/a", Cookie="koonto_lang=sv", **{"Accept-Language": "en"})
    assert remembered.json()["gettext"] == "sv"
    assert (await _get("/api/v1/spoken/a")).headers["content-language"] == "fi"
    assert (await _get("/api/v1/own-language")).headers["content-language"] == "se"  # the answer's own wins


async def test_requests_are_counted_under_their_route_template_and_status_also_when_the_handler_fails() -> None:
    before = (_count("/api/v1/spoken/{item}", "200"), _count("unmatched", "404"), _count("/api/v1/broken", "500"))
    await _get("/api/v1/spoken/one")
    await _get("/api/v1/spoken/two")
    assert (await _get("/nowhere/at/all")).status_code == 404
    assert (await _get("/api/v1/broken")).status_code == 500
    after = (_count("/api/v1/spoken/{item}", "200"), _count("unmatched", "404"), _count("/api/v1/broken", "500"))
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 1, 1]
    assert REGISTRY.get_sample_value(
        "koonto_http_request_duration_seconds_count",
        {"service": "intake", "method": "GET", "route": "/api/v1/spoken/{item}"},
    )


async def test_the_callers_trace_is_continued_in_a_server_span_named_by_the_route() -> None:
    exporter = InMemorySpanExporter()
    tracing.use_exporter(exporter)
    await _get("/api/v1/spoken/x", traceparent=f"00-{TRACE_ID}-00f067aa0ba902b7-01")
    await _get("/api/v1/broken")
    spans = {span.name: span for span in exporter.get_finished_spans()}
    ok = spans["HTTP GET /api/v1/spoken/{item}"]
    assert format(ok.context.trace_id, "032x") == TRACE_ID
    assert ok.attributes is not None and ok.attributes["http.response.status_code"] == 200
    assert ok.status.is_ok
    assert not spans["HTTP GET"].status.is_ok  # the failing handler: no route name reached, an error span
