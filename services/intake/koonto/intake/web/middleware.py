"""Headers on every answer: the signed links in URLs must not leak (Referer, frames, search indexes)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PRIVATE_PREFIXES = ("/status/", "/subscriptions/", "/ideas/receipt/", "/ideas/draft/", "/attachments/")
SECURITY_HEADERS = (
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
)


class KeepLinksPrivate:
    """Status and subscription tokens live in URLs: never leak them in a Referer, a frame or a search index.

    A plain ASGI middleware: `@app.middleware("http")` (BaseHTTPMiddleware) costs a task group and memory
    streams per request, which showed in the profile of POST /api/v1/ideas."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith(PRIVATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                if private:
                    headers = [(n, v) for n, v in headers if n.lower() != b"x-robots-tag"]
                    headers.append((b"x-robots-tag", b"noindex, nofollow"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
