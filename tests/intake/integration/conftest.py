"""An intake service against real NATS and a real MongoDB-protocol server, reached over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from koonto.intake.main import create_runtime
from koonto.intake.settings import IntakeSettings
from koonto.shared.runtime import Runtime
from tests.intake.helpers import KEY_STORES
from tests.support.services import FAST_CONSUMER, client, running

PUBLIC = "http://intake.test"


def intake_settings(nats_url: str, mongo_url: str, database: str, **overrides: Any) -> IntakeSettings:
    values: dict[str, Any] = {
        "mode": "test", "nats_url": nats_url, "mongo_url": mongo_url, "mongo_database": database,
        "public_base_url": PUBLIC, "min_fill_seconds": 0, "rate_limit_requests": 1000, "log_json": False,
        **FAST_CONSUMER, **overrides,
    }
    return IntakeSettings(**values)


IntakeFactory = Callable[..., Any]


def intake_factory(nats_url: str, mongo_url: str, database: str) -> IntakeFactory:
    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
        settings = intake_settings(overrides.pop("nats_url", nats_url), mongo_url, database, **overrides)
        runtime = create_runtime(settings)
        assert runtime.infra.keys is not None
        KEY_STORES.append(runtime.infra.keys)
        try:
            async with running(runtime), client(runtime) as http:
                yield runtime, http
        finally:
            KEY_STORES.remove(runtime.infra.keys)

    return start


@pytest.fixture
def start_intake(clean_stream: str, mongo_url: str, db_names: dict[str, str]) -> IntakeFactory:
    """`async with start_intake(**settings) as (runtime, http):` a running intake with these settings."""
    return intake_factory(clean_stream, mongo_url, db_names["intake"])


@pytest.fixture(params=["default store", "nx-27017"])
def start_intake_on_each_store(request: pytest.FixtureRequest, clean_stream: str) -> IntakeFactory:
    """`start_intake` on the default store (FerretDB v1 in CI), then on an nx-27017 server beside it: for the
    decisions that must hold on every supported store."""
    if request.param == "default store":
        return request.getfixturevalue("start_intake")  # type: ignore[no-any-return]
    url, database = request.getfixturevalue("nx_mongo_url"), request.getfixturevalue("nx_database")
    return intake_factory(clean_stream, url, database)


@pytest.fixture
async def intake(start_intake: IntakeFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    async with start_intake() as pair:
        yield pair
