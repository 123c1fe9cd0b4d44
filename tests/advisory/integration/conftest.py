"""Advisory integration fixtures: the real service (in-process) on real NATS and a real MongoDB-protocol server,
with a clock the test controls, and the events it published read back from the KOONTO stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import nats
import nats.js.errors
import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.clock import FixedClock
from koonto.advisory.main import create_runtime
from koonto.advisory.settings import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, AdvisorySettings
from koonto.shared.bus import STREAM_NAME
from koonto.shared.contracts import Envelope
from koonto.shared.runtime import Runtime
from tests.support.polling import eventually, stays
from tests.support.services import FAST_CONSUMER, client, running


class Stream:
    """Reads what is on the KOONTO stream (the audit trail), as another service would see it."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def events(self, type_prefix: str = "koonto.advisory.") -> list[Envelope]:
        nc = await nats.connect(self.url)
        try:
            js = nc.jetstream()
            try:
                info = await js.stream_info(STREAM_NAME)
            except nats.js.errors.NotFoundError:
                return []
            found = []
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                try:
                    msg = await js.get_msg(STREAM_NAME, seq)
                except nats.js.errors.NotFoundError:
                    continue
                if msg.subject.startswith(type_prefix):
                    found.append(Envelope.model_validate_json(msg.data))
            return found
        finally:
            await nc.close()

    async def of_type(self, name: str) -> list[Envelope]:
        return [e for e in await self.events() if e.type == f"koonto.advisory.{name}.v1"]

    async def wait_for(
        self,
        name: str,
        count: int,
        *,
        settle: float = 0.8,
        timeout: float = 20.0,
        where: Callable[[Envelope], bool] = lambda e: True,
    ) -> list[Envelope]:
        """Waits for exactly `count` events of a kind, and checks that no more arrive for `settle` seconds."""

        async def probe() -> list[Envelope]:
            return [e for e in await self.of_type(name) if where(e)]

        await eventually(probe, until=lambda xs: len(xs) >= count, timeout=timeout, what=f"{count} x {name}")
        if settle:
            await stays(probe, until=lambda xs: len(xs) == count, duration=settle)
        return await probe()

    async def publish(self, envelope: Envelope, *, message_id: str | None = None) -> None:
        nc = await nats.connect(self.url)
        try:
            await nc.jetstream().publish(
                envelope.type,
                envelope.model_dump_json().encode(),
                headers={"Nats-Msg-Id": message_id or envelope.id},
                stream=STREAM_NAME,
            )
        finally:
            await nc.close()


@pytest.fixture
def stream(clean_stream: str) -> Stream:
    return Stream(clean_stream)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock.on(date(2026, 12, 4), 9)


@pytest.fixture
def make_settings(
    clean_stream: str, mongo_url: str, db_names: dict[str, str], tmp_path: Path
) -> Callable[..., AdvisorySettings]:
    def make(**overrides: Any) -> AdvisorySettings:
        values: dict[str, Any] = {
            "mode": "test",
            "nats_url": clean_stream,
            "mongo_url": mongo_url,
            "mongo_database": db_names["advisory"],
            "data_dir": tmp_path / "data",
            "scheduler_interval_seconds": 0.2,
            "first_contact_working_days": 2,
            "log_json": False,
            **FAST_CONSUMER,
        }
        values.update(overrides)
        return AdvisorySettings(**values)

    return make


@pytest.fixture
async def runtime(make_settings: Callable[..., AdvisorySettings], clock: FixedClock) -> AsyncIterator[Runtime]:
    rt = create_runtime(make_settings(), clock=clock)
    async with running(rt):
        await eventually(lambda: rt.container.store.any_active_admin(), what="bootstrap admin")
        yield rt


@pytest.fixture
def advisory(runtime: Runtime) -> AdvisoryContainer:
    return runtime.container


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with client(runtime) as c:
        yield c


async def token_for(http: httpx.AsyncClient, email: str, password: str) -> str:
    response = await http.post("/api/v1/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def admin_token(http: httpx.AsyncClient) -> str:
    return await token_for(http, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)


PASSWORD = "salasana-joka-kelpaa"


@pytest.fixture
async def staff_tokens(http: httpx.AsyncClient, admin_token: str) -> dict[str, str]:
    """One signed-in account per role (plus the admin); keys: admin, coordinator, advisor, funder."""
    tokens = {"admin": admin_token}
    for role in ("coordinator", "advisor", "funder"):
        response = await http.post(
            "/api/v1/staff",
            headers=bearer(admin_token),
            json={"email": f"{role}@koonto.example", "name": f"Testi {role}", "roles": [role], "password": PASSWORD},
        )
        assert response.status_code == 201, response.text
        tokens[role] = await token_for(http, f"{role}@koonto.example", PASSWORD)
    return tokens
