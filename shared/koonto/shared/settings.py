"""Settings from KOONTO_* environment variables. Secrets have no usable default outside local mode."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_ONLY_SECRET = "local-development-secret-not-for-production"  # noqa: S105
LOCAL_ONLY_KEY_STORE_TOKEN = "local-key-store-token-not-for-production"  # noqa: S105


class ServiceSettings(BaseSettings):
    """Settings every service shares; each service subclasses it with its own name, port and extras."""

    model_config = SettingsConfigDict(env_prefix="KOONTO_", extra="ignore")

    service_name: str = "koonto"
    mode: Literal["local", "production", "test"] = "local"
    region: str = "pohjois-savo"  # the home region: jobs, start-up, and any request no other region claims
    # several regions on one deployment (docs/operations.md, "Several regions"): the further regions served
    # (JSON list), which host name is which region's public site (JSON object, host -> region code), and whether
    # a path prefix /<region code>/ selects the region instead (behind one host name)
    regions: list[str] = Field(default_factory=list)
    region_hosts: dict[str, str] = Field(default_factory=dict)
    region_path_prefixes: bool = False
    regions_dir: Path | None = None
    data_dir: Path = Path(".var")  # local mode: keys, sink output and embedded server data live here

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_base_url: str = ""
    # the public pages link to each other across services: intake's front page and reporting's showcase
    intake_public_url: str = "http://127.0.0.1:8001"
    reporting_public_url: str = "http://127.0.0.1:8004"
    advisory_public_url: str = "http://127.0.0.1:8002"  # the staff workspace: where the sign-in is
    notify_public_url: str = "http://127.0.0.1:8003"  # notify's staff pages (newsletters), in the staff navigation

    nats_url: str = "nats://127.0.0.1:4222"
    stream_replicas: int = 1

    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_database: str = ""
    # the driver's bounds (docs/operations.md, "Store outages"): a store that is down or frozen fails fast
    mongo_server_selection_timeout_ms: int = Field(default=3000, gt=0)
    mongo_connect_timeout_ms: int = Field(default=2000, gt=0)
    mongo_socket_timeout_ms: int = Field(default=10000, gt=0)
    # every HTTP request is answered within this (503 with Retry-After when it is not), and so is a store outage
    request_timeout_seconds: float = Field(default=5.0, gt=0)
    unavailable_retry_after_seconds: int = Field(default=5, ge=1)

    # the largest request body any route takes (413 over it; see bodies.py); intake keeps a smaller one
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)

    secret_key: str = LOCAL_ONLY_SECRET

    # Behind a reverse proxy: how many proxies in front of the service append to X-Forwarded-For (nginx's
    # $proxy_add_x_forwarded_for). The client is the hop the outermost trusted proxy added, counted from the
    # right; what the client wrote itself (further left) is never trusted. Unset: 1 when trust_forwarded_for
    # is on (the older switch), else 0 (the socket peer is the client).
    trust_forwarded_for: bool = Field(default=False, description="behind one proxy: trusted_proxy_hops = 1")
    trusted_proxy_hops: int | None = Field(default=None, ge=0, le=10)
    staff_jwks_url: str = "http://127.0.0.1:8002/.well-known/jwks.json"

    staff_directory_cache_seconds: float = Field(
        default=2.0, ge=0, le=30, description="how long a request may use a cached staff directory entry"
    )
    consumer_max_deliver: int = Field(default=8, ge=1)
    consumer_ack_wait_seconds: float = Field(default=30.0, gt=0)
    consumer_backoff_base_seconds: float = Field(default=0.5, gt=0)
    consumer_backoff_max_seconds: float = Field(default=60.0, gt=0)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_quiet_ms: int = Field(default=2000, ge=0, description="clean published entries after this quiet time")

    # crypto-shredding (koonto.shared.sealing): intake keeps the per-person keys; the others ask its internal API.
    # Unset URL: the service keeps a key store of its own (one service alone, in tests; refused in production).
    key_store_url: str = ""
    key_store_token: str = LOCAL_ONLY_KEY_STORE_TOKEN
    key_store_cache_seconds: float = Field(default=30.0, ge=0, le=300, description="how long a fetched key is kept")
    key_shred_interval_seconds: float = Field(default=2.0, gt=0)
    key_shred_max_wait_seconds: float = Field(
        default=3 * 24 * 3600, gt=0, description="destroy an erased person's keys after this even if a consumer lags"
    )

    otlp_endpoint: str | None = None  # OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces

    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> ServiceSettings:
        if self.mode == "production" and self.secret_key == LOCAL_ONLY_SECRET:
            raise ValueError("KOONTO_SECRET_KEY must be set outside local mode")
        if not self.mongo_database:
            self.mongo_database = self.service_name
        if not self.public_base_url:
            self.public_base_url = f"http://{self.http_host}:{self.http_port}"
        return self

    @property
    def proxy_hops(self) -> int:
        """How many X-Forwarded-For hops, from the right, trusted proxies added."""
        if self.trusted_proxy_hops is not None:
            return self.trusted_proxy_hops
        return 1 if self.trust_forwarded_for else 0

    @property
    def is_local(self) -> bool:
        return self.mode != "production"
