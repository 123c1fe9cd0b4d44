"""Settings of the reporting service (KOONTO_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from koonto.shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: str = "reporting"
    http_port: int = 8004
    # A file export is built before its answer starts: the PDF takes about a second of CPU on an idle machine and
    # several on a busy one, more than the platform's 5 s bound. Still below the proxies' 60 s read timeout, so a
    # user sees the service's 503 page, not the proxy's 504 (docs/operations.md, "Store outages").
    request_timeout_seconds: float = Field(default=20.0, gt=0)
