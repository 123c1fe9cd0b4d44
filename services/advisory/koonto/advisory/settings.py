"""Settings of the advisory service (KOONTO_* environment variables)."""

from __future__ import annotations

from koonto.shared.settings import ServiceSettings


class AdvisorySettings(ServiceSettings):
    service_name: str = "advisory"
    http_port: int = 8002
