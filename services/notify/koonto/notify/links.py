"""Signed links in every message: the preference page and RFC 8058 one-click unsubscribe.

The token names the address (and the topic the message was about); it is signed with the service secret
and does not expire, as an unsubscribe link must keep working.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer


@dataclass(frozen=True)
class LinkTarget:
    email: str
    topic: str | None  # None: every optional topic


class Links:
    def __init__(self, secret: str, base_url: str) -> None:
        self.serializer = URLSafeSerializer(secret, salt="koonto-notify-preferences")
        self.base_url = base_url.rstrip("/")

    def token(self, email: str, topic: str | None) -> str:
        return str(self.serializer.dumps({"e": email, "t": topic}))

    def read(self, token: str) -> LinkTarget | None:
        try:
            data = self.serializer.loads(token)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("e"), str):
            return None
        topic = data.get("t")
        return LinkTarget(email=data["e"], topic=topic if isinstance(topic, str) else None)

    def unsubscribe_url(self, email: str, topic: str | None, language: str | None = None) -> str:
        suffix = f"?lang={language}" if language else ""
        return f"{self.base_url}/unsubscribe/{self.token(email, topic)}{suffix}"

    def preferences_url(self, email: str, language: str | None = None) -> str:
        suffix = f"?lang={language}" if language else ""
        return f"{self.base_url}/preferences/{self.token(email, None)}{suffix}"
