"""Channel adapters behind small protocols: SMTP mail (aiosmtplib) and SMS (Twilio Messages API); `Channels`
builds each on first use and closes them."""

from __future__ import annotations

from koonto.notify.channels.mail import MailSender, SmtpMailer
from koonto.notify.channels.sms import SmsSender, TwilioSms
from koonto.notify.settings import NotifySettings


class Channels:
    def __init__(
        self, settings: NotifySettings, *, mailer: MailSender | None = None, sms: SmsSender | None = None
    ) -> None:
        self.settings = settings
        self._mailer = mailer
        self._sms = sms

    @property
    def mailer(self) -> MailSender:
        if self._mailer is None:
            self._mailer = SmtpMailer(self.settings)
        return self._mailer

    @property
    def sms(self) -> SmsSender:
        if self._sms is None:
            self._sms = TwilioSms(self.settings)
        return self._sms

    async def close(self) -> None:
        if self._mailer is not None:
            await self._mailer.close()
            self._mailer = None
        if self._sms is not None:
            await self._sms.close()
            self._sms = None
