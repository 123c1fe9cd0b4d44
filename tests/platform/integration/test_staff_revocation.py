"""A staff token stops working everywhere once its account is deactivated or its roles change (issue 12, item 1).

Advisory, notify and reporting run in-process on real NATS and a real MongoDB-protocol server; notify and
reporting verify advisory's real tokens against its JWKS and learn about accounts only from `staff-updated`
(no call to advisory in a request). Each token is first seen working in every service (so each service has
the account cached), then the account changes in advisory and the old token must be refused within seconds.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from koonto.advisory.main import create_runtime as advisory_runtime
from koonto.advisory.settings import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, AdvisorySettings
from koonto.devsinks import MailSink, SmsSink
from koonto.notify.main import create_runtime as notify_runtime
from koonto.notify.settings import NotifySettings
from koonto.reporting.main import create_runtime as reporting_runtime
from koonto.reporting.settings import ReportingSettings
from koonto.shared.runtime import Runtime
from koonto.shared.staff_directory import COLLECTION
from tests.support.polling import eventually
from tests.support.services import FAST_CONSUMER, client, running

PASSWORD = "salasana-joka-kelpaa"
PERIOD = "from=2026-01-01&to=2026-12-31"
WITHIN = 10.0  # seconds: "within a few seconds" (the cache keeps an entry for 2 s)

# what a coordinator may do in each service, and what a funder may do
COORDINATOR_ROUTES = [
    ("notify", "/api/v1/notifications"),
    ("notify", "/api/v1/dead-letters"),
    ("reporting", "/api/v1/reports/summary?" + PERIOD),
    ("reporting", "/api/v1/reports/summary.json?" + PERIOD),
    ("reporting", "/api/v1/reports/summary.csv?" + PERIOD),
    ("reporting", "/api/v1/reports/summary.xlsx?" + PERIOD),
    ("reporting", "/api/v1/reports/summary.pdf?" + PERIOD),
    ("reporting", "/api/v1/dead-letters"),
    ("advisory", "/api/v1/dead-letters"),
]
FUNDER_ROUTES = [r for r in COORDINATOR_ROUTES if r[0] == "reporting" and "dead-letters" not in r[1]]


@dataclass
class System:
    runtimes: dict[str, Runtime]
    http: dict[str, httpx.AsyncClient]

    async def status(self, service: str, path: str, token: str) -> int:
        response = await self.http[service].get(path, headers={"Authorization": f"Bearer {token}"})
        return response.status_code

    async def statuses(self, routes: list[tuple[str, str]], token: str) -> dict[tuple[str, str], int]:
        return {(s, p): await self.status(s, p, token) for s, p in routes}

    async def token(self, email: str, password: str = PASSWORD) -> str:
        response = await self.http["advisory"].post("/api/v1/token", data={"username": email, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def known_everywhere(self, staff_id: str, generation: int) -> None:
        """Waits until every service's directory holds the account at `generation` (events flowed)."""

        async def generations() -> list[int | None]:
            found = []
            for runtime in self.runtimes.values():
                doc = await runtime.db[COLLECTION].find_one({"_id": staff_id})
                found.append(None if doc is None else int(doc["generation"]))
            return found

        await eventually(generations, until=lambda gs: gs == [generation] * len(gs), timeout=WITHIN,
                         what=f"{staff_id} at generation {generation} in every directory")


@pytest.fixture
async def system(
    clean_stream: str, mongo_url: str, db_names: dict[str, str], tmp_path: Path
) -> AsyncIterator[System]:
    common = {"mode": "test", "nats_url": clean_stream, "mongo_url": mongo_url, "log_json": False, **FAST_CONSUMER}
    advisory = advisory_runtime(
        AdvisorySettings(mongo_database=db_names["advisory"], data_dir=tmp_path / "data", **common)  # type: ignore[arg-type]
    )
    jwks = json.dumps(advisory.container.keyring.keys.jwks())  # what advisory serves at /.well-known/jwks.json
    mail, sms = MailSink().start(), SmsSink().start()
    notify = notify_runtime(
        NotifySettings(
            mongo_database=db_names["notify"], staff_jwks_url=jwks, smtp_host="127.0.0.1", smtp_port=mail.port,
            sms_url=sms.url, public_base_url="http://notify.test", **common,  # type: ignore[arg-type]
        )
    )
    reporting = reporting_runtime(
        ReportingSettings(mongo_database=db_names["reporting"], staff_jwks_url=jwks, **common)  # type: ignore[arg-type]
    )
    runtimes: dict[str, Runtime] = {"advisory": advisory, "notify": notify, "reporting": reporting}
    try:
        async with contextlib.AsyncExitStack() as stack:
            http = {}
            for name, runtime in runtimes.items():
                await stack.enter_async_context(running(runtime))
                http[name] = await stack.enter_async_context(client(runtime))
            await eventually(lambda: advisory.container.store.any_active_admin(), what="bootstrap admin")
            yield System(runtimes, http)
    finally:
        mail.stop()
        sms.stop()


async def add_coordinator(system: System, admin: str, email: str) -> str:
    response = await system.http["advisory"].post(
        "/api/v1/staff", headers={"Authorization": f"Bearer {admin}"},
        json={"email": email, "name": "Testi Koordinaattori", "roles": ["coordinator"], "password": PASSWORD},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["staff_id"])


async def change(system: System, admin: str, staff_id: str, **patch: object) -> None:
    response = await system.http["advisory"].patch(
        f"/api/v1/staff/{staff_id}", headers={"Authorization": f"Bearer {admin}"}, json=patch
    )
    assert response.status_code == 200, response.text


def all_are(code: int) -> object:
    return lambda found: set(found.values()) == {code}


async def test_deactivation_and_role_downgrade_end_existing_tokens_in_every_service(system: System) -> None:
    admin = await system.token(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD)
    leaver = await add_coordinator(system, admin, "lahtija@koonto.example")
    stayer = await add_coordinator(system, admin, "pysyja@koonto.example")
    downgraded = await add_coordinator(system, admin, "alennettu@koonto.example")
    for staff_id in (leaver, stayer, downgraded):
        await system.known_everywhere(staff_id, 0)
    tokens = {s: await system.token(e) for s, e in (
        (leaver, "lahtija@koonto.example"), (stayer, "pysyja@koonto.example"),
        (downgraded, "alennettu@koonto.example"),
    )}
    for token in tokens.values():  # every service accepts each of them (and now has the account cached)
        assert await system.statuses(COORDINATOR_ROUTES, token) == dict.fromkeys(COORDINATOR_ROUTES, 200)

    await change(system, admin, leaver, active=False)
    await change(system, admin, downgraded, roles=["funder"])

    await eventually(lambda: system.statuses(COORDINATOR_ROUTES, tokens[leaver]), until=all_are(401),  # type: ignore[arg-type]
                     timeout=WITHIN, what="the deactivated account's token refused everywhere")
    await eventually(lambda: system.statuses(COORDINATOR_ROUTES, tokens[downgraded]), until=all_are(401),  # type: ignore[arg-type]
                     timeout=WITHIN, what="the downgraded account's old token refused everywhere")
    # the active account was not touched: its token still works everywhere
    assert await system.statuses(COORDINATOR_ROUTES, tokens[stayer]) == dict.fromkeys(COORDINATOR_ROUTES, 200)

    # signing in again gives the downgraded account its new role, and only that one, in every service
    funder = await system.token("alennettu@koonto.example")
    assert await system.statuses(FUNDER_ROUTES, funder) == dict.fromkeys(FUNDER_ROUTES, 200)
    coordinator_only = [r for r in COORDINATOR_ROUTES if r not in FUNDER_ROUTES]
    assert await system.statuses(coordinator_only, funder) == dict.fromkeys(coordinator_only, 403)
    # and the deactivated account cannot sign in at all
    response = await system.http["advisory"].post(
        "/api/v1/token", data={"username": "lahtija@koonto.example", "password": PASSWORD}
    )
    assert response.status_code in (400, 401), response.text
