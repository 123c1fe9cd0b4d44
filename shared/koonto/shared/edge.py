"""The one layer every request passes on its way in and out of a service: trace, language and request metrics.

Plain ASGI on purpose. The three concerns were three `BaseHTTPMiddleware` layers (request metrics, language,
tracing); each of those runs the rest of the app in a task of its own and carries the body and the answer
through memory streams, and together with reading the body through them they were about a third of intake's
event loop in the profile of POST /api/v1/ideas (docs/benchmarks.md). Here the answer is only looked at as it
leaves: the status for the metrics and the span, `Content-Language` and the language cookie added to its headers.

What it does, outermost first (as the three layers did):

- **trace**: continues the caller's W3C trace context (`traceparent`) in a server span `HTTP <method> <route>`,
  with the status; a 5xx (or an exception) marks the span as an error; log lines carry its `trace_id`;
- **language**: `?lang=` > `koonto_lang` cookie > Accept-Language > fi (`i18n.negotiate`), set for gettext and as
  `request.state.language`; an explicit `?lang=` is remembered in the cookie; `Content-Language` unless the
  answer names its own;
- **metrics**: `koonto_http_requests_total{service,method,route,status}` and
  `koonto_http_request_duration_seconds{service,method,route}` (time until the answer starts), route "unmatched"
  when no route took the request, status 500 when the app raised before answering.
"""

from __future__ import annotations

import time

import structlog
from opentelemetry import context as otel_context
from opentelemetry import propagate
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from koonto.shared import tracing
from koonto.shared.i18n import LANGUAGE_COOKIE, LANGUAGES, language, negotiate
from koonto.shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from koonto.shared.region import Regions, using_region

CONTENT_LANGUAGE = b"content-language"


def _remembering_cookie(language: str) -> tuple[bytes, bytes]:
    """The Set-Cookie header that remembers an explicit choice, written by Starlette as a response would."""
    response = Response()
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return next((name, value) for name, value in response.raw_headers if name == b"set-cookie")


REMEMBER = {language: _remembering_cookie(language) for language in LANGUAGES}


class RequestEdge:
    def __init__(self, app: ASGIApp, service: str, regions: Regions | None = None) -> None:
        self.app = app
        self.service = service
        self.regions = regions
        self.tracer = tracing.tracer(service)

    def _region(self, scope: Scope) -> str | None:
        """The request's region: a path prefix /<region code>/ when those are on (added to `root_path`, so the
        routes see the rest of the path and `url_for` links keep the prefix), else the host name's region
        (KOONTO_REGION_HOSTS), else the home one."""
        if self.regions is None or not self.regions.several:
            return None
        path, root = scope["path"], scope.get("root_path", "")
        prefixed = self.regions.for_path(path[len(root):] if root and path.startswith(root) else path)
        if prefixed is not None:
            region, prefix = prefixed
            scope["root_path"] = scope.get("root_path", "") + prefix  # Starlette routes the path after it
        else:
            host = next((value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"host"), "")
            region = self.regions.for_host(host) or self.regions.home
        scope.setdefault("state", {})["region"] = region.code
        return region.code

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        region = self._region(scope)
        request = Request(scope)
        chosen = negotiate(request)
        scope.setdefault("state", {})["language"] = chosen
        added = [(CONTENT_LANGUAGE, chosen.encode())]
        if request.query_params.get("lang") in LANGUAGES:
            added.insert(0, REMEMBER[chosen])
        method = scope["method"]
        started = time.perf_counter()
        answer: dict[str, float] = {}  # status and time to the start of the answer, once it starts

        async def send_answer(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"], answer["seconds"] = message["status"], time.perf_counter() - started
                headers = list(message.get("headers", ()))
                named = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in added if name == b"set-cookie" or name not in named]
                message = {**message, "headers": headers}
            await send(message)

        token = otel_context.attach(propagate.extract(request.headers))
        try:
            with using_region(region), language(chosen), self.tracer.start_as_current_span(
                f"HTTP {method}", kind=SpanKind.SERVER,
                attributes={"http.request.method": method, "url.path": scope["path"], "koonto.service": self.service},
            ) as span, structlog.contextvars.bound_contextvars(
                trace_id=format(span.get_span_context().trace_id, "032x")
            ):
                await self.app(scope, receive, send_answer)
                status = int(answer.get("status", 500))
                route = scope.get("route")
                if route is not None:
                    span.update_name(f"HTTP {method} {getattr(route, 'path', '')}")
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
        finally:
            otel_context.detach(token)
            path = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(self.service, method, path, str(int(answer.get("status", 500)))).inc()
            seconds = answer.get("seconds", time.perf_counter() - started)
            HTTP_LATENCY.labels(self.service, method, path).observe(seconds)
