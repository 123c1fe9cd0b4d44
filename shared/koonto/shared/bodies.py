"""Request bodies, bounded: every service refuses a body over its limit (413) and JSON nested too deep (400)
before it is parsed, with a message in the request's language.

- `BodyLimit` (ASGI middleware, installed by the runtime for every service) counts the bytes an endpoint
  reads and raises `BodyTooLarge` as soon as they pass `max_body_bytes`, chunked bodies included, so nothing
  reads more than the limit; `refuse_declared_oversize` (an app-wide dependency) refuses a declared
  `Content-Length` over the limit before the endpoint runs, also for an endpoint that never reads its body.
- `read_body` / `read_json` are the readers the JSON API uses: `read_json` checks the nesting depth of the
  bytes (a cheap scan, strings skipped) before `json.loads`, which would otherwise recurse 10,000 levels deep.
- `install_body_limit` answers both errors: JSON `{"detail": ...}` under `/api/`, a short page elsewhere; a
  service may register its own page for `BodyTooLarge` (intake does).

The texts are in `shared/koonto/shared/locale/`.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from koonto.shared.i18n import Catalogues, current_language

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_JSON_DEPTH = 32  # the deepest body any Koonto API takes is 3 levels


def N_(message: str) -> str:
    """Marks a message for extraction; translated where it is shown."""
    return message


BODY_TOO_LARGE = N_("Lähetetty tieto on liian suuri. Lyhennä tekstejä ja yritä uudelleen.")
NOT_JSON = N_("Pyynnön runko ei ole kelvollista JSONia.")
NEEDS_JSON = N_("Lähetä tiedot JSON-muodossa (Content-Type: application/json).")
JSON_TOO_DEEP = N_("Pyynnön JSON on liian monitasoinen: enintään {max} sisäkkäistä tasoa.")
PAGE_TITLE = N_("Lähetys ei onnistunut")

_catalogues: Catalogues | None = None


def translate(message: str) -> str:
    """A shared message in the request's language."""
    global _catalogues
    if _catalogues is None:
        from koonto.shared.pages import SHARED_LOCALE

        _catalogues = Catalogues(SHARED_LOCALE)
    return _catalogues.gettext(message)


class BodyTooLarge(HTTPException):
    """The body is over the service's limit (413). An HTTPException, so that FastAPI's own body parsing lets it
    through as it is (it turns any other error while reading into a 400)."""

    def __init__(self) -> None:
        super().__init__(413)


class BadJson(Exception):
    """A JSON body that cannot be taken: not JSON, too deep, or not sent as JSON; `status` is the answer."""

    def __init__(self, msgid: str, status: int, **values: Any) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.status = status
        self.values = values

    def text(self) -> str:
        return translate(self.msgid).format(**self.values)


def _declared_length(headers: Any) -> int | None:
    declared = headers.get("content-length")
    return int(declared) if declared and declared.isdigit() else None


def limit_for(state: Any, path: str, default: int) -> int:
    """The body limit of a path: `default`, or a larger one a service declared for a path prefix (intake's idea
    form, which carries attachments) in `app.state.larger_bodies` (prefix -> bytes)."""
    for prefix, limit in (getattr(state, "larger_bodies", None) or {}).items():
        if path.startswith(prefix):
            return int(limit)
    return default


class BodyLimit:
    """ASGI middleware: an endpoint reading more than `limit` bytes of a request body gets `BodyTooLarge`
    (or more than the larger limit its path has, `limit_for`)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        seen = 0
        app = scope.get("app")
        limit = limit_for(app.state, scope.get("path", ""), self.limit) if app is not None else self.limit

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        await self.app(scope, bounded, send)


async def refuse_declared_oversize(request: Request) -> None:
    """App-wide dependency: a declared body over the limit is refused before any endpoint runs."""
    if request.method not in BODY_METHODS:
        return
    declared = _declared_length(request.headers)
    if declared is not None and declared > limit_for(
        request.app.state, request.url.path, request.app.state.max_body_bytes
    ):
        raise BodyTooLarge


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything over `limit` before reading it all."""
    declared = _declared_length(request.headers)
    if declared is not None and declared > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


_ESCAPES = re.compile(rb"\\.", re.DOTALL)
_STRINGS = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, strings skipped (no parsing, no recursion)."""
    brackets = _STRINGS.sub(b"", _ESCAPES.sub(b"", body)).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


async def read_json(request: Request, limit: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON body: 413 over `limit`, 415 when not sent as JSON, 400 when not JSON or nested over `max_depth`."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await read_body(request, limit)
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise BadJson(NEEDS_JSON, 415)
    if json_depth(body) > max_depth:
        raise BadJson(JSON_TOO_DEEP, 400, max=max_depth)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadJson(NOT_JSON, 400) from None


def _answer(request: Request, status: int, text: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": text}, status_code=status)
    title = translate(PAGE_TITLE)
    page = (
        f'<!doctype html><html lang="{current_language()}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f'<link rel="stylesheet" href="/static/shared/koonto.css"></head><body><main id="main">'
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p></main></body></html>"
    )
    return HTMLResponse(page, status_code=status)


BODY_LIMIT = Depends(refuse_declared_oversize)


def install_body_limit(app: FastAPI, max_body_bytes: int) -> None:
    """The limit for every request of `app` (built with `dependencies=[BODY_LIMIT]`), and the default answers
    to a refused body. Call it before adding any other middleware: `BodyLimit` must be the innermost one, so
    that `BodyTooLarge` is raised in the endpoint's own task and reaches the exception handlers (a
    `BaseHTTPMiddleware` below it would wrap it in an exception group)."""
    app.state.max_body_bytes = max_body_bytes
    app.add_middleware(BodyLimit, limit=max_body_bytes)

    async def too_large(request: Request, exc: Exception) -> Response:
        return _answer(request, 413, translate(BODY_TOO_LARGE))

    async def bad_json(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BadJson)
        return _answer(request, exc.status, exc.text())

    app.add_exception_handler(BodyTooLarge, too_large)
    app.add_exception_handler(BadJson, bad_json)
