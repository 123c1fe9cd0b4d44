"""Settings of the reporting service (KOONTO_* environment variables)."""

from __future__ import annotations

from koonto.shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    http_port: int = 8004
