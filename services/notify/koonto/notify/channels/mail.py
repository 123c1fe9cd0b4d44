"""SMTP through aiosmtplib, with a small pool of open connections (a fan-out of thousands reuses them).

A connection is checked out and ready (EHLO, STARTTLS, AUTH done) *before* the delivery is claimed, so the
window between the "sending" and "sent" writes holds only MAIL, RCPT and DATA.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol

import aiosmtplib

from koonto.notify.domain.retry import DeliveryError, SendResult, smtp_error, transient
from koonto.notify.settings import NotifySettings
from koonto.shared.aio import within


class MailSender(Protocol):
    def connection(self) -> contextlib.AbstractAsyncContextManager[MailConnection]: ...
    async def close(self) -> None: ...


class MailConnection(Protocol):
    async def send(
        self, message: EmailMessage, before_data: Callable[[], Awaitable[None]] | None = None
    ) -> SendResult: ...


class SmtpConnection:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client
        self.broken = False

    async def send(
        self, message: EmailMessage, before_data: Callable[[], Awaitable[None]] | None = None
    ) -> SendResult:
        """MAIL, RCPT, then `before_data()` (the caller records the point of no return), then DATA."""
        sender = parseaddr(str(message["From"]))[1]
        recipient = parseaddr(str(message["To"]))[1]
        stage = "mail"
        try:
            await self.client.mail(sender)
            stage = "rcpt"
            await self.client.rcpt(recipient)
            stage = "data"
            if before_data is not None:
                try:
                    await before_data()
                except BaseException:
                    await self._reset()  # nothing was sent: the session is left clean for the next message
                    raise
            response = await self.client.data(message.as_bytes())
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            raise smtp_error(exc.code, exc.message, stage=stage) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self.broken = True
            raise transient(f"SMTP connection failed at {stage}: {exc!r}") from exc
        return SendResult(provider_id=response.message[:200] if response else None)

    async def _reset(self) -> None:
        try:
            await self.client.rset()
        except Exception:
            self.broken = True


class SmtpMailer:
    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self._idle: asyncio.Queue[SmtpConnection] = asyncio.Queue()
        self._open = 0
        self._slots = asyncio.Semaphore(settings.smtp_pool_size)

    async def _connect(self) -> SmtpConnection:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.smtp_timeout_seconds,
            use_tls=s.smtp_security == "tls",
            start_tls=True if s.smtp_security == "starttls" else False,
        )
        try:
            await client.connect()
            if s.smtp_username:
                await client.login(s.smtp_username, s.smtp_password)
        except aiosmtplib.SMTPResponseException as exc:
            with contextlib.suppress(Exception):
                client.close()
            raise transient(f"SMTP refused the connection: {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            with contextlib.suppress(Exception):
                client.close()
            raise transient(f"SMTP server not reachable: {exc!r}") from exc
        return SmtpConnection(client)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[SmtpConnection]:
        async with self._slots:
            conn: SmtpConnection | None = None
            while not self._idle.empty():
                candidate = self._idle.get_nowait()
                if candidate.client.is_connected and not candidate.broken:
                    conn = candidate
                    break
                await self._discard(candidate)
            if conn is None:
                conn = await self._connect()
                self._open += 1
            try:
                yield conn
            except BaseException as exc:
                if not isinstance(exc, DeliveryError):
                    conn.broken = True  # interrupted mid-transaction: never reuse that session
                raise
            finally:
                if conn.broken or not conn.client.is_connected:
                    await self._discard(conn)
                else:
                    self._idle.put_nowait(conn)

    async def _discard(self, conn: SmtpConnection) -> None:
        self._open = max(0, self._open - 1)
        with contextlib.suppress(Exception):
            if conn.client.is_connected:
                await within(conn.client.quit(), 2)
        with contextlib.suppress(Exception):
            conn.client.close()

    async def close(self) -> None:
        while not self._idle.empty():
            await self._discard(self._idle.get_nowait())


__all__ = ["DeliveryError", "MailConnection", "MailSender", "SmtpConnection", "SmtpMailer"]
