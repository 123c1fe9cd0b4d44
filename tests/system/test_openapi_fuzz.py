"""schemathesis against every service's OpenAPI, on the running system: no 5xx and no stack trace in any body,
whatever the generated request (valid and invalid data, with a staff token and without)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.support.servers import temp_base
from tests.support.system import System, running_system
from tests.system.helpers import admin_headers

SERVICES = ["intake", "advisory", "notify", "reporting"]
EXAMPLES = 30


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[System]:
    extra = {"KOONTO_RATE_LIMIT_REQUESTS": "1000000", "KOONTO_LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000000",
             "KOONTO_LOGIN_MAX_FAILURES_PER_CLIENT": "1000000"}
    with running_system(temp_base("koonto-fuzz-"), extra_env=extra) as system:
        yield system


def no_stack_trace(response: Any) -> None:
    body = response.text if hasattr(response, "text") else ""
    assert "Traceback (most recent call last)" not in body, body[:500]


@pytest.mark.timeout(900)
@pytest.mark.parametrize("service", SERVICES)
def test_generated_requests_never_break_a_service(fuzzed: System, service: str) -> None:
    base = fuzzed.services[service].url
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    headers = admin_headers(fuzzed)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    sent = 0
    for operation in operations:
        if operation.path in ("/api/v1/token",):  # brute-forcing the login would only trip its throttle
            continue
        sent += fuzz_operation(base, operation, headers, failures)
    assert sent >= 3 * len(operations), (sent, len(operations))  # it really generated requests
    assert not failures, "\n".join(failures[:20])
    assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200


def fuzz_operation(base: str, operation: Any, headers: dict[str, str], failures: list[str]) -> int:
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True)  # the same examples on every run: a CI failure can be reproduced
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        calls.append(1)
        for auth in (headers, {}):
            response = case.call(base_url=base, headers=auth, timeout=30)
            if response.status_code >= 500:
                failures.append(f"{operation.method.upper()} {operation.path}: {response.status_code} "
                                f"{response.text[:200]!r}")
            no_stack_trace(response)

    calls: list[int] = []
    run()
    return len(calls)
