"""Settings of the intake service (KOONTO_* environment variables)."""

from __future__ import annotations

from koonto.shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    http_port: int = 8001
