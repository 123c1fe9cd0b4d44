"""Staff roles per region (`domain/regions.py`), the staff scope of the reads (`scope.py`), the single sign-on
claim values `<value>@<region>`, and accounts created with roles per region, on the in-memory store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer, bootstrap
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.case import case_id_for
from koonto.advisory.domain.clock import FixedClock
from koonto.advisory.domain.errors import Invalid
from koonto.advisory.domain.regions import all_roles, check_region_roles, region_roles_of, works_in
from koonto.advisory.scope import RegionScope, scoped
from koonto.advisory.settings import AdvisorySettings
from koonto.advisory.store import INDEXES, OUTBOX_COLLECTIONS
from koonto.shared.bus import EventContext
from koonto.shared.mongo import ensure_indexes
from koonto.shared.region import Regions, using_region
from tests.advisory.unit.conftest import ADMIN, events
from tests.support.memory import memory_infra
from tests.support.samples import envelope, idea_submitted

SAVO, KARJALA = "pohjois-savo", "pohjois-karjala"


@pytest.fixture
async def two_regions(tmp_path: Path, clock: FixedClock) -> AdvisoryContainer:
    settings = AdvisorySettings(
        mode="test", service_name="advisory", data_dir=tmp_path / "data", log_json=False, regions=[KARJALA],
        oidc_roles_claim="groups", oidc_role_map={"neuvojat": "advisor", "koordinaattorit": "coordinator",
                                                  "ylläpito": "admin"},
    )
    infra = memory_infra(settings, outbox_collections=OUTBOX_COLLECTIONS)
    await ensure_indexes(infra.db, INDEXES)
    return bootstrap(infra, settings, clock)


def test_a_record_without_roles_per_region_holds_its_roles_in_the_home_region() -> None:
    assert region_roles_of({"roles": ["advisor", "admin"]}, SAVO) == {SAVO: ("advisor",)}
    assert region_roles_of({"roles": ["admin"]}, SAVO) == {}
    held = {"roles": ["advisor"], "region_roles": {KARJALA: ["advisor"], SAVO: []}}
    assert region_roles_of(held, SAVO) == {KARJALA: ("advisor",)}  # a region without roles is none of theirs
    assert works_in(held, KARJALA, SAVO) and not works_in(held, SAVO, SAVO)
    assert works_in({"roles": ["admin"]}, KARJALA, SAVO, "coordinator")  # admin is global


def test_roles_are_chosen_only_for_served_regions_and_admin_stays_global() -> None:
    served = (SAVO, KARJALA)
    assert check_region_roles({KARJALA: ["coordinator", "advisor"], SAVO: []}, served) == {
        KARJALA: ["coordinator", "advisor"]}
    for wrong in ({"lappi": ["advisor"]}, {KARJALA: ["admin"]}, {KARJALA: ["chief"]}):
        with pytest.raises(Invalid):
            check_region_roles(wrong, served)
    assert all_roles({KARJALA: ["advisor"], SAVO: ["funder"]}, admin=True) == ["admin", "advisor", "funder"]


def test_the_scope_adds_no_condition_when_the_staff_member_sees_every_region() -> None:
    scope = RegionScope(Regions.load(SAVO, [KARJALA]))
    assert scope.query() == {}  # outside a staff request: consumers and jobs see every region
    with scoped(frozenset({SAVO, KARJALA})):
        assert scope.query() == {}
    with scoped(frozenset({SAVO})):
        assert scope.query() == {"region": {"$in": [SAVO, None]}}  # a document from before regions is the home's
        assert scope.visible({"_id": "a"}) == {"_id": "a"}
        assert scope.visible({"_id": "b", "region": KARJALA}) is None
        assert scope.mine() == (SAVO,)
    with scoped(frozenset({KARJALA})):
        assert scope.query() == {"region": {"$in": [KARJALA]}}
        assert scope.visible({"_id": "a"}) is None
    with scoped(frozenset()):
        assert scope.query() == {"region": {"$in": []}}
    single = RegionScope(Regions.load(SAVO))
    with scoped(frozenset({SAVO})):  # every account of a single-region deployment: as before
        assert single.query() == {}


def test_an_actor_holds_a_role_in_a_region() -> None:
    actor = Actor("s", "S", ("advisor", "coordinator"), {SAVO: ("coordinator",), KARJALA: ("advisor",)})
    assert actor.has_in(SAVO, "coordinator") and not actor.has_in(KARJALA, "coordinator")
    assert Actor("s", "S", ("coordinator",)).has_in(KARJALA, "coordinator")  # no roles per region: everywhere
    assert ADMIN.has_in(KARJALA, "coordinator")


async def test_claim_values_name_their_region(two_regions: AdvisoryContainer) -> None:
    sso = two_regions.sso
    assert sso.roles_from({"groups": ["neuvojat"]}) == (("advisor",), None)  # as on a single-region deployment
    roles, held = sso.roles_from({"groups": ["neuvojat@pohjois-karjala", "koordinaattorit", "tuntematon@lappi",
                                             "neuvojat@lappi"]}) or ((), None)
    assert roles == ("coordinator", "advisor") and held == {KARJALA: ["advisor"], SAVO: ["coordinator"]}
    assert sso.roles_from({"groups": "ylläpito neuvojat@pohjois-karjala"}) == (
        ("admin", "advisor"), {KARJALA: ["advisor"]})
    assert sso.roles_from({"groups": ["neuvojat@lappi"]}) == ((), {})  # a region not served: nothing


async def test_an_account_with_roles_per_region_and_its_event(two_regions: AdvisoryContainer) -> None:
    doc = await two_regions.staff.create_staff(
        ADMIN, email="kaisa@koonto.example", name="Kaisa", roles=[], region_roles={KARJALA: ["advisor"]})
    assert doc["roles"] == ["advisor"] and doc["region_roles"] == {KARJALA: ["advisor"]}
    [updated] = await events(two_regions, "staff-updated")
    assert updated.data["region_roles"] == [{"region": KARJALA, "roles": ["advisor"]}]
    with pytest.raises(Invalid):
        await two_regions.staff.create_staff(ADMIN, email="x@koonto.example", name="X", roles=[], region_roles={})
    changed = await two_regions.staff.update_staff(ADMIN, doc["_id"], region_roles={SAVO: ["coordinator"]})
    assert changed["roles"] == ["coordinator"] and changed["region_roles"] == {SAVO: ["coordinator"]}
    assert changed["token_generation"] == 1  # a change of regions ends the older tokens
    token = two_regions.auth.issue_token(changed)
    claims = await two_regions.keys.verifier().verify(token)
    assert claims.region_roles == {SAVO: ("coordinator",)}


async def test_reminders_carry_their_cases_region_and_go_to_its_coordinators(
    two_regions: AdvisoryContainer, clock: FixedClock
) -> None:
    deps = two_regions
    coordinators = {}
    for region in (SAVO, KARJALA):
        doc = await deps.staff.create_staff(ADMIN, email=f"k-{region}@koonto.example", name=region, roles=[],
                                            region_roles={region: ["coordinator"]})
        coordinators[region] = doc["_id"]
    await events(deps)
    cases = {}
    for region in (SAVO, KARJALA):
        idea = idea_submitted(reference=f"R-2026-{len(cases) + 1:04d}")
        incoming = envelope(idea, region=region)
        with using_region(region):  # as the consumer loop runs the handler
            await deps.cases.open_case_from_idea(
                idea, EventContext(envelope=incoming, attempt=1, region=region, service="advisory"))
        cases[region] = case_id_for(idea.idea_id)
    clock.set_day(date(2026, 12, 14), 9)  # long past the first-contact deadline of both
    assert (await deps.scheduler.tick()).sla == 2
    reminders = await events(deps, "followup-due")
    assert len(reminders) == 2
    for due in reminders:
        region = next(r for r, case_id in cases.items() if case_id == due.data["case_id"])
        assert due.region == region and due.data["recipient_staff_ids"] == [coordinators[region]]
