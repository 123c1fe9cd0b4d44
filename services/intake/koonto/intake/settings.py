"""Settings of the intake service (KOONTO_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from koonto.shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name: str = "intake"
    http_port: int = 8001

    # signed links (itsdangerous, secret_key): how long each kind stays valid
    status_link_max_age_days: int = Field(default=365, ge=1)
    confirm_link_max_age_days: int = Field(default=14, ge=1)
    unsubscribe_link_max_age_days: int = Field(default=10 * 365, ge=1)
    cancel_link_max_age_days: int = Field(
        default=2 * 365, ge=1, description="a registration's cancel link; it also stops working when the event starts"
    )
    booking_link_max_age_days: int = Field(default=400, ge=1, description="a booking can be a year ahead")

    # abuse without friction
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    rate_limit_requests: int = Field(
        default=30, ge=1, description="public POSTs per client per window, counted per replica in memory (token bucket)"
    )
    rate_limit_window_seconds: int = Field(default=600, ge=1)
    min_fill_seconds: float = Field(default=3.0, ge=0, description="a form sent faster than this is asked to confirm")
    max_fill_hours: float = Field(default=24.0, gt=0, description="a form token older than this is refused")
    reference_block_size: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="most idea reference numbers a replica reserves at once (hi-lo; 1: one counter update per idea)",
    )
    duplicate_window_hours: float = Field(default=24.0, gt=0, description="the same idea again -> same reference")
    subscription_resend_minutes: float = Field(default=10.0, ge=0)

    # drafts and attachments of the idea form
    draft_max_age_days: int = Field(
        default=30, ge=1, description="a saved draft (and the files sent with it) is deleted this long after saving"
    )
    draft_sweep_minutes: float = Field(default=60.0, gt=0, description="how often expired drafts are deleted")
    attachment_max_bytes: int = Field(default=10_000_000, ge=1024, description="the largest file taken")
    attachments_max_bytes_per_idea: int = Field(default=25_000_000, ge=1024, description="all files of one idea")
    attachments_max_files: int = Field(default=10, ge=1, description="the most files one idea may have")
