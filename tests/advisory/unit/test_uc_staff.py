"""use_cases/staff.py: the bootstrap admin, accounts and their staff-updated events, the last admin."""

from __future__ import annotations

import jwt
import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.errors import Forbidden, Invalid, Refused
from koonto.advisory.settings import DEMO_ADMIN_EMAIL
from tests.advisory.unit.conftest import ADMIN, advisor, events

PASSWORD = "salasana-joka-kelpaa"


async def test_bootstrap_admin_once(deps: AdvisoryContainer) -> None:
    await deps.staff.bootstrap_admin()
    await deps.staff.bootstrap_admin()
    [admin] = await deps.views.staff()
    assert admin["email"] == DEMO_ADMIN_EMAIL and admin["roles"] == ["admin"] and "password_hash" not in admin
    assert await events(deps) == []  # the demo address is one notify could not mail: no staff-updated


async def test_create_staff_emits_staff_updated_and_refuses_a_taken_address(deps: AdvisoryContainer) -> None:
    niina = await advisor(deps)
    [updated] = await events(deps, "staff-updated")
    assert updated.data["staff_id"] == niina.staff_id and updated.data["roles"] == ["advisor"]
    with pytest.raises(Refused):
        await deps.staff.create_staff(ADMIN, email="NEUVOJA@koonto.example", name="X", roles=["advisor"],
                                      password=PASSWORD)
    with pytest.raises(Forbidden):
        await deps.staff.create_staff(niina, email="b@koonto.example", name="B", roles=["advisor"], password=PASSWORD)
    with pytest.raises(Invalid) as short:
        await deps.staff.create_staff(ADMIN, email="c@koonto.example", name="C", roles=["advisor"], password="x")
    assert short.value.field == "password"
    with pytest.raises(Invalid) as email:
        await deps.staff.create_staff(ADMIN, email="not-an-address", name="C", roles=["advisor"], password=PASSWORD)
    assert email.value.field == "email"


async def test_update_staff_by_self_and_admin_keeps_one_admin(deps: AdvisoryContainer) -> None:
    niina = await advisor(deps)
    await events(deps)
    renamed = await deps.staff.update_staff(niina, niina.staff_id, name="Niina N.")
    assert renamed["name"] == "Niina N." and "password_hash" not in renamed
    assert [e.data["display_name"] for e in await events(deps, "staff-updated")] == ["Niina N."]
    with pytest.raises(Forbidden):
        await deps.staff.update_staff(niina, niina.staff_id, roles=["coordinator"])
    await deps.staff.update_staff(niina, niina.staff_id, password="uusi-salasana-2026")
    # a password change ends the tokens issued before it: every service learns the new generation
    [changed] = await events(deps, "staff-updated")
    assert changed.data["token_generation"] == 1 and changed.data["active"] is True
    boss = await deps.staff.create_staff(ADMIN, email="boss@koonto.example", name="Boss", roles=["admin"],
                                         password=PASSWORD)
    with pytest.raises(Refused):
        await deps.staff.update_staff(Actor(boss["_id"], "Boss", ("admin",)), boss["_id"], active=False)


async def test_deactivation_role_and_password_changes_bump_the_token_generation(deps: AdvisoryContainer) -> None:
    niina = await advisor(deps)
    await events(deps)

    async def generation_after(**change: object) -> int:
        await deps.staff.update_staff(ADMIN, niina.staff_id, **change)  # type: ignore[arg-type]
        [updated] = await events(deps, "staff-updated")
        return int(updated.data["token_generation"])

    assert await generation_after(name="Niina N.") == 0  # a new name ends no token
    assert await generation_after(roles=["advisor"]) == 0  # the same roles again: nothing changed
    assert await generation_after(roles=["funder"]) == 1
    assert await generation_after(active=False) == 2
    assert await generation_after(active=True, password="uusi-salasana-2026") == 3
    staff = await deps.auth.authenticate("neuvoja@koonto.example", "uusi-salasana-2026", "127.0.0.1")
    claims = jwt.decode(deps.auth.issue_token(staff), options={"verify_signature": False})
    assert claims["gen"] == 3  # the token carries the generation it was issued at
