"""SMS through Twilio's Messages REST API (`POST /2010-04-01/Accounts/{sid}/Messages.json`) at a base URL
from `KOONTO_SMS_URL`; the local SMS sink and the tests stand in for the provider."""

from __future__ import annotations

from typing import Protocol

import httpx

from koonto.notify.domain.retry import SendResult, http_sms_error, transient
from koonto.notify.settings import NotifySettings


class SmsSender(Protocol):
    async def send(self, to: str, body: str, *, sender: str | None = None) -> SendResult: ...
    async def close(self) -> None: ...


class TwilioSms:
    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self.client = httpx.AsyncClient(
            base_url=settings.sms_url.rstrip("/"),
            auth=(settings.sms_account_sid, settings.sms_auth_token),
            timeout=settings.sms_timeout_seconds,
        )

    async def send(self, to: str, body: str, *, sender: str | None = None) -> SendResult:
        """`sender`: the sender name shown (the region's; KOONTO_SMS_FROM when not given)."""
        path = f"/2010-04-01/Accounts/{self.settings.sms_account_sid}/Messages.json"
        form = {"To": to, "From": sender or self.settings.sms_from, "Body": body}
        try:
            response = await self.client.post(path, data=form)
        except httpx.TimeoutException as exc:
            raise transient(f"SMS provider timed out: {exc!r}") from exc
        except httpx.HTTPError as exc:
            raise transient(f"SMS provider not reachable: {exc!r}") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code in (200, 201):
            segments = payload.get("num_segments")
            return SendResult(provider_id=payload.get("sid"), segments=int(segments) if segments else None)
        raise http_sms_error(response.status_code, payload if isinstance(payload, dict) else {})

    async def close(self) -> None:
        await self.client.aclose()
