"""Settings of the notify service (KOONTO_* environment variables)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from koonto.shared.settings import ServiceSettings

LOCAL_SMS_TOKEN = "local-sms-token"  # noqa: S105 - the local SMS sink accepts anything; refused in production


class NotifySettings(ServiceSettings):
    service_name: str = "notify"
    http_port: int = 8003

    # mail (aiosmtplib); `smtp_security`: none (local sink), starttls (587) or tls (465)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=20.0, gt=0)
    smtp_pool_size: int = Field(default=2, ge=1, le=32)
    mail_from: str = "Koonto <koonto@example.fi>"
    mail_domain: str = "notify.koonto.example.fi"  # right-hand side of Message-IDs

    # SMS: Twilio's Messages REST API at this base URL (the local sink and the tests stand in for it)
    sms_url: str = "http://127.0.0.1:8025"
    sms_account_sid: str = "ACkoontolocal"
    sms_auth_token: str = LOCAL_SMS_TOKEN
    sms_from: str = "Koonto"
    sms_timeout_seconds: float = Field(default=10.0, gt=0)

    # public addresses of the pages our messages link to

    # delivery queue
    worker_poll_seconds: float = Field(default=1.0, gt=0)
    worker_batch: int = Field(default=50, ge=1, le=1000)
    # the providers' caps, per replica and per channel: starts per second, evenly spaced
    send_rate_per_second: float = Field(default=20.0, gt=0, description="e-mails per second, per replica")
    sms_rate_per_second: float = Field(default=10.0, gt=0, description="SMS per second, per replica")
    delivery_lease_seconds: float = Field(default=120.0, gt=0, description="longer than any provider call")
    max_attempts: int = Field(default=8, ge=1)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    # what a restart does with a delivery left in "sending" (outcome unknown): hold it for staff, or resend
    unconfirmed_policy: Literal["hold", "resend"] = "hold"

    # fan-out: batch size of the expansion, and how far expansion may run ahead of sending
    fanout_batch: int = Field(default=500, ge=1, le=10_000)
    fanout_ahead: int = Field(default=1000, ge=1)

    # SMS quiet hours (Europe/Helsinki): none from quiet_start to quiet_end
    quiet_start_hour: int = Field(default=21, ge=0, le=23)
    quiet_end_hour: int = Field(default=8, ge=0, le=23)
    digest_hour: int = Field(default=8, ge=0, le=23)
    jobs_poll_seconds: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _refuse_local_credentials(self) -> NotifySettings:
        if self.mode == "production" and self.sms_auth_token == LOCAL_SMS_TOKEN:
            raise ValueError("KOONTO_SMS_AUTH_TOKEN must be set outside local mode")
        return self
