"""Settings from KOONTO_* environment variables. Secrets have no usable default outside local mode."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_ONLY_SECRET = "local-development-secret-not-for-production"  # noqa: S105


class ServiceSettings(BaseSettings):
    """Settings every service shares; each service subclasses it with its own name, port and extras."""

    model_config = SettingsConfigDict(env_prefix="KOONTO_", extra="ignore")

    service_name: str = "koonto"
    mode: Literal["local", "production", "test"] = "local"
    region: str = "pohjois-savo"
    regions_dir: Path | None = None
    data_dir: Path = Path(".var")  # local mode: keys, sink output and embedded server data live here

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    public_base_url: str = ""
    # the public pages link to each other across services: intake's front page and reporting's showcase
    intake_public_url: str = "http://127.0.0.1:8001"
    reporting_public_url: str = "http://127.0.0.1:8004"

    nats_url: str = "nats://127.0.0.1:4222"
    stream_replicas: int = 1

    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_database: str = ""

    secret_key: str = LOCAL_ONLY_SECRET
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
    def is_local(self) -> bool:
        return self.mode != "production"
