"""use_cases/auth.py: password sign-in, throttled per account, and the token it issues."""

from __future__ import annotations

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.errors import BadCredentials, Throttled
from koonto.advisory.settings import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD


async def test_sign_in_issues_a_token_the_keyring_verifies(deps: AdvisoryContainer) -> None:
    await deps.staff.bootstrap_admin()
    staff = await deps.auth.authenticate(DEMO_ADMIN_EMAIL.upper(), DEMO_ADMIN_PASSWORD, "10.0.0.1")
    principal = await deps.keyring.verifier().verify(deps.auth.issue_token(staff))
    assert principal.staff_id == staff["_id"] and principal.roles == ("admin",)


async def test_wrong_passwords_are_throttled_per_account(deps: AdvisoryContainer) -> None:
    await deps.staff.bootstrap_admin()
    for _ in range(deps.settings.login_max_failures_per_account):
        with pytest.raises(BadCredentials):
            await deps.auth.authenticate(DEMO_ADMIN_EMAIL, "wrong", "10.0.0.2")
    with pytest.raises(Throttled) as throttled:  # even with the right password: no guessing oracle
        await deps.auth.authenticate(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, "10.0.0.3")
    assert throttled.value.extra["retry_after"] == deps.settings.login_window_seconds
    with pytest.raises(BadCredentials):
        await deps.auth.authenticate("nobody@koonto.example", "x", "10.0.0.4")
