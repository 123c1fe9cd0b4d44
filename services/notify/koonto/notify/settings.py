"""Settings of the notify service (KOONTO_* environment variables)."""

from __future__ import annotations

from koonto.shared.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    service_name: str = "notify"
    http_port: int = 8003
