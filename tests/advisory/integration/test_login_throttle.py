"""The login throttle on real servers: the check-and-count is one atomic step across replicas (no more wrong
passwords are checked than the limit, however many arrive at once), the refusal says the real time to wait,
the lock ends with its window, and behind the proxy the per-client limit counts the client, not the proxy."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from koonto.advisory.domain.clock import FixedClock
from koonto.advisory.main import create_runtime
from koonto.advisory.settings import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, AdvisorySettings
from koonto.advisory.store import THROTTLE
from koonto.shared.runtime import Runtime
from tests.support.polling import eventually
from tests.support.services import client, running

WINDOW = 900


@pytest.fixture
def clock() -> FixedClock:
    # 9.05.30 in Helsinki: the 15-minute window ends at 9.15.00, in 570 s (10 minutes, rounded up)
    clock = FixedClock.on(date(2026, 12, 4), 9, 5)
    clock.advance(timedelta(seconds=30))
    return clock


@pytest.fixture
async def replicas(
    make_settings: Callable[..., AdvisorySettings], clock: FixedClock
) -> AsyncIterator[list[tuple[Runtime, httpx.AsyncClient]]]:
    """Two replicas of advisory on one database and one clock, behind one trusted proxy."""
    settings = make_settings(login_window_seconds=WINDOW, trust_forwarded_for=True)
    first, second = create_runtime(settings, clock=clock), create_runtime(settings, clock=clock)
    async with running(first), running(second), client(first) as a, client(second) as b:
        await eventually(lambda: first.container.store.any_active_admin(), what="bootstrap admin")
        yield [(first, a), (second, b)]


def token(http: httpx.AsyncClient, email: str, password: str, address: str, **headers: str) -> Any:
    return http.post(
        "/api/v1/token",
        data={"username": email, "password": password},
        headers={"X-Forwarded-For": address, **headers},
    )


async def test_thirty_wrong_passwords_at_once_on_two_replicas_check_exactly_the_limit(
    replicas: list[tuple[Runtime, httpx.AsyncClient]],
) -> None:
    (first, a), (second, b) = replicas
    limit = first.settings.login_max_failures_per_account
    answers = await asyncio.gather(
        *(token(a if i % 2 else b, DEMO_ADMIN_EMAIL, f"väärä-{i}", f"203.0.113.{i}") for i in range(30))
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [401] * limit + [429] * (30 - limit)
    # exactly `limit` passwords were checked against the hash, on the two replicas together
    assert first.container.auth.password_checks + second.container.auth.password_checks == limit
    assert await first.db[THROTTLE].count_documents({"key": {"$regex": "^account:"}}) == limit
    refused = [r for r in answers if r.status_code == 429]
    assert {r.headers["Retry-After"] for r in refused} == {"570"}  # until the window ends at 9.15.00
    assert {r.json()["detail"] for r in refused} == {
        "Liian monta epäonnistunutta kirjautumista. Yritä uudelleen 10 minuutin kuluttua."
    }


async def test_the_refusal_says_the_real_wait_and_the_lock_ends_with_its_window(
    replicas: list[tuple[Runtime, httpx.AsyncClient]], clock: FixedClock
) -> None:
    (first, a), (second, b) = replicas
    limit = first.settings.login_max_failures_per_account
    for i in range(limit):
        assert (await token(a, DEMO_ADMIN_EMAIL, "väärä", f"203.0.113.{i}")).status_code == 401
    # the right password does not get through meanwhile (no guessing oracle), and the wait is said in the
    # caller's language, on the API and on the page
    finnish = await token(b, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, "198.51.100.1")
    assert finnish.status_code == 429 and finnish.headers["Retry-After"] == "570"
    assert finnish.json()["detail"] == (
        "Liian monta epäonnistunutta kirjautumista. Yritä uudelleen 10 minuutin kuluttua."
    )
    swedish = await token(a, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, "198.51.100.1", **{"Accept-Language": "sv"})
    assert swedish.status_code == 429
    assert swedish.json()["detail"] == "För många misslyckade inloggningar. Försök igen om 10 min."
    clock.advance(timedelta(seconds=270))  # 9.10.00: five minutes left
    form = await b.get("/login?lang=en")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    page = await b.post(
        "/login",
        data={"email": DEMO_ADMIN_EMAIL, "password": DEMO_ADMIN_PASSWORD, "csrf_token": csrf.group(1)},
        headers={"X-Forwarded-For": "198.51.100.1"},
    )
    assert page.status_code == 429 and page.headers["Retry-After"] == "300"
    assert "Too many failed sign-ins. Try again in 5 min." in page.text
    # the lock ends with its window, not a window later
    clock.advance(timedelta(seconds=300))  # 9.15.00
    signed_in = await token(a, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, "198.51.100.1")
    assert signed_in.status_code == 200, signed_in.text
    assert first.container.auth.password_checks + second.container.auth.password_checks == limit + 1


async def test_failures_through_the_proxy_do_not_lock_out_staff_at_other_addresses(
    replicas: list[tuple[Runtime, httpx.AsyncClient]],
) -> None:
    (first, a), (_, b) = replicas
    per_client = first.settings.login_max_failures_per_client
    per_account = first.settings.login_max_failures_per_account
    attacker = "203.0.113.66"  # the address the proxy appended for the attacker
    # every request comes from the proxy's one address; X-Forwarded-For names the client
    one_account = [await token(a, "kohde@koonto.example", "x", attacker) for _ in range(per_client)]
    assert [r.status_code for r in one_account] == [401] * per_account + [429] * (per_client - per_account)
    assert (await token(b, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, "198.51.100.20")).status_code == 200
    # the attacker spreads failures over accounts until the per-client limit holds it (and only it)
    spread = [
        await token(b, f"kohde{i // per_account}@koonto.example", "x", f"6.6.6.{i}, {attacker}")
        for i in range(per_client - per_account)
    ]
    assert {r.status_code for r in spread} == {401}
    held = await token(a, "viela@koonto.example", "x", attacker)
    assert held.status_code == 429
    colleague = await token(a, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, "198.51.100.21")
    assert colleague.status_code == 200, colleague.text
