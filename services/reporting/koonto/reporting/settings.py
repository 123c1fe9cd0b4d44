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
    # Background jobs (`jobs`), each run by the replica holding its lease: the as-of checkpoints of the ended days
    # (Helsinki) built ahead, looking this many days back for one missing; and the event markers of applied facts
    # removed from the counters once they are older than the grace period (`store.compaction`).
    checkpoint_interval_seconds: float = Field(default=600.0, gt=0)
    checkpoint_days_back: int = Field(default=7, ge=1, le=366)
    marker_compaction_interval_seconds: float = Field(default=300.0, gt=0)
    marker_grace_seconds: float = Field(default=3600.0, ge=0)
