"""use_cases/passwords.py on the in-memory store: invitations and resets by one-time link, once, in time."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.clock import FixedClock
from koonto.advisory.domain.errors import BadCredentials, Forbidden, Invalid, LinkExpired, Throttled
from koonto.advisory.settings import AdvisorySettings
from tests.advisory.unit.conftest import ADMIN, COORDINATOR, events

NEW = "kesäinen-kylätalo-2027"


def token_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[1]


async def invited(deps: AdvisoryContainer) -> tuple[str, str]:
    doc = await deps.staff.create_staff(ADMIN, email="Ville@Koonto.example", name="Ville", roles=["advisor"],
                                        language="en")
    assert "password_link" not in doc and "password_hash" not in doc
    [link] = await events(deps, "staff-password-link-issued")
    assert link.data["purpose"] == "invitation" and link.data["language"] == "en" and "?lang=en" in link.data["url"]
    return str(doc["_id"]), token_of(link.data["url"])


async def test_an_invitation_sets_the_password_once_and_never_signs_in_before(deps: AdvisoryContainer) -> None:
    staff_id, token = await invited(deps)
    with pytest.raises(BadCredentials):
        await deps.auth.authenticate("ville@koonto.example", NEW, "client")
    holder = await deps.passwords.link_holder(token)
    assert holder["_id"] == staff_id and holder["purpose"] == "invitation"
    with pytest.raises(Invalid) as mismatch:
        await deps.passwords.set_password(token, NEW, NEW + "x")
    assert mismatch.value.field == "repeat"
    await deps.passwords.set_password(token, NEW, NEW)
    [updated] = await events(deps, "staff-updated")
    assert updated.data["token_generation"] == 1  # tokens issued before the password are refused
    assert (await deps.auth.authenticate("ville@koonto.example", NEW, "client"))["_id"] == staff_id
    for wrong in (token, token[:-1] + ("A" if token[-1] != "A" else "B"), "no-dot", f"{staff_id}.äö" * 10):
        with pytest.raises(LinkExpired):
            await deps.passwords.set_password(wrong, "toinen-salasana-2027", "toinen-salasana-2027")


async def test_links_expire_and_a_newer_one_replaces_the_older(deps: AdvisoryContainer, clock: FixedClock) -> None:
    staff_id, invitation = await invited(deps)
    clock.advance(timedelta(hours=72, seconds=1))
    with pytest.raises(LinkExpired):
        await deps.passwords.link_holder(invitation)
    await deps.passwords.send_link(ADMIN, staff_id)
    [again] = await events(deps, "staff-password-link-issued")
    assert again.data["purpose"] == "invitation"  # no password yet
    await deps.passwords.set_password(token_of(again.data["url"]), NEW, NEW)
    await deps.passwords.request_reset("VILLE@koonto.example", "client")
    await deps.passwords.request_reset("ville@koonto.example", "client")
    first, second = await events(deps, "staff-password-link-issued")
    assert first.data["purpose"] == second.data["purpose"] == "reset"
    with pytest.raises(LinkExpired):
        await deps.passwords.link_holder(token_of(first.data["url"]))
    clock.advance(timedelta(minutes=61))
    with pytest.raises(LinkExpired):
        await deps.passwords.link_holder(token_of(second.data["url"]))
    with pytest.raises(Forbidden):
        await deps.passwords.send_link(COORDINATOR, staff_id)


async def test_resets_say_nothing_about_the_address_and_are_throttled(deps: AdvisoryContainer) -> None:
    await invited(deps)
    await events(deps)
    await deps.passwords.request_reset("ei-ketaan@koonto.example", "client-a")
    assert await events(deps) == []
    for _ in range(5):
        await deps.passwords.request_reset("ville@koonto.example", "client-a")
    assert len(await events(deps, "staff-password-link-issued")) == 3  # three mails an hour per account
    for _ in range(4):
        await deps.passwords.request_reset("ei-ketaan@koonto.example", "client-a")
    with pytest.raises(Throttled):  # ten requests an hour per client
        await deps.passwords.request_reset("ei-ketaan@koonto.example", "client-a")


async def test_production_refuses_a_password_an_admin_types_for_someone_else(
    settings: AdvisorySettings, deps: AdvisoryContainer
) -> None:
    object.__setattr__(deps.settings, "mode", "production")
    with pytest.raises(Forbidden):
        await deps.staff.create_staff(ADMIN, email="x@koonto.example", name="X", roles=["advisor"],
                                      password="admin-tietaa-taman-2027")
