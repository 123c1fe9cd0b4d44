"""use_cases/results.py on the in-memory store: a funded, closed project's results are published with the
association's consent (one project-results-published with public content only), refused before that, checked
field by field, withdrawn once, and withdrawn by an erasure of the contact person."""

from __future__ import annotations

from typing import Any

import pytest

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.errors import Invalid, Refused
from koonto.advisory.domain.results import https_url, publishable
from koonto.shared.contracts.intake import ErasureRequested
from tests.advisory.lifecycle_steps import move_to
from tests.advisory.unit.conftest import COORDINATOR, events, open_case
from tests.support.samples import idea_submitted

FORM: dict[str, Any] = {
    "summary_fi": "Kylätalosta tuli koko kylän olohuone.",
    "outcomes_fi": "12 kylätapahtumaa\n\n  60 kävijää viikossa  ",
    "photo_alt_fi": "Kyläläisiä kylätalon portailla",
    "summary_sv": "Byhuset blev hela byns vardagsrum.",
    "photo_url": "https://kyla.example.fi/kuva.jpg",
    "link_url": "https://kyla.example.fi/loppuraportti",
    "consent": True,
}


async def case_at(deps: AdvisoryContainer, stage: str, **overrides: object) -> str:
    case_id = await open_case(deps, **overrides)
    await move_to(deps, COORDINATOR, case_id, stage)
    await events(deps)
    return case_id


async def test_a_closed_funded_project_publishes_public_content_only(deps: AdvisoryContainer) -> None:
    case_id = await case_at(deps, "closed")
    case = await deps.results.publish(COORDINATOR, case_id, **FORM)
    [published] = await events(deps, "project-results-published")
    data = published.data
    assert data["fi"]["outcomes"] == ["12 kylätapahtumaa", "60 kävijää viikossa"]
    assert data["sv"]["summary"] == "Byhuset blev hela byns vardagsrum." and data["en"] is None
    assert data["photo_url"] == FORM["photo_url"] and data["case_id"] == case_id
    text = published.model_dump_json()
    assert "maija" not in text.lower() and "+358" not in text  # no contact person in the public event
    assert case["results"]["consent"]["version"] == "results-publication-v1"
    assert case["results"]["consent"]["recorded_by"] == COORDINATOR.staff_id
    assert [e["kind"] for e in case["timeline"].values()][-1] == "results-published"


@pytest.mark.parametrize("stage", ["idea", "funded", "implementation"])
async def test_results_are_refused_before_the_project_is_funded_and_closed(deps: AdvisoryContainer, stage: str) -> None:
    case_id = await case_at(deps, stage)
    with pytest.raises(Refused):
        await deps.results.publish(COORDINATOR, case_id, **FORM)
    assert await events(deps) == []


def test_a_closed_case_that_never_was_funded_is_not_publishable() -> None:
    assert publishable("closed", {"closed", "funded"})
    assert not publishable("closed", {"closed", "implementation"})
    assert not publishable("withdrawn", {"funded", "withdrawn"})


async def test_every_wrong_field_is_named_at_once(deps: AdvisoryContainer) -> None:
    case_id = await case_at(deps, "closed")
    form = {
        **FORM,
        "consent": False,
        "summary_fi": "  ",
        "photo_alt_fi": "",
        "outcomes_en": "Only outcomes",
        "link_url": "javascript:alert(1)",
    }
    with pytest.raises(Invalid) as refused:
        await deps.results.publish(COORDINATOR, case_id, **form)
    assert set(refused.value.extra["fields"]) == {"consent", "summary_fi", "photo_alt_fi", "summary_en", "link_url"}
    assert await events(deps) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://kyla.example.fi/kuva.jpg",
        "javascript:alert(1)",
        "https://",
        "https://user:pw@kyla.example.fi/",
        'https://kyla.example.fi/"onerror="alert(1)',
        "https://kyla.example.fi/<script>",
        "https://localhost/x",
        "data:image/png;base64,AAAA",
        "https://kyla.example.fi/a b",
    ],
)
def test_only_plain_https_addresses_are_accepted(url: str) -> None:
    with pytest.raises(ValueError):
        https_url(url)


def test_an_https_address_is_kept_as_given() -> None:
    assert https_url(" https://kyla.example.fi/kuvat?id=3#a ") == "https://kyla.example.fi/kuvat?id=3#a"
    assert https_url("") is None


async def test_a_withdrawal_emits_once_and_the_case_can_publish_again(deps: AdvisoryContainer) -> None:
    case_id = await case_at(deps, "closed")
    await deps.results.publish(COORDINATOR, case_id, **FORM)
    case = await deps.results.withdraw(COORDINATOR, case_id)
    assert case["results"] is None
    await deps.results.withdraw(COORDINATOR, case_id)  # a second click
    found = await events(deps)
    assert [e.type for e in found] == [
        "koonto.advisory.project-results-published.v1",
        "koonto.advisory.project-results-withdrawn.v1",
    ]
    assert found[1].data["cause"] == "staff"


async def test_an_erasure_of_the_contact_withdraws_the_published_results(deps: AdvisoryContainer) -> None:
    idea = idea_submitted()
    case_id = await case_at(deps, "closed", idea_id=idea.idea_id)
    await deps.results.publish(COORDINATOR, case_id, **FORM)
    await events(deps)
    await deps.cases.erase_contact(
        ErasureRequested(
            request_id="erasure-1",
            email=idea.contact.email,
            idea_ids=(idea.idea_id,),
            requested_at=idea.submitted_at,
        )
    )
    [withdrawn] = await events(deps, "project-results-withdrawn")
    assert withdrawn.data["cause"] == "erasure" and withdrawn.data["case_id"] == case_id
    case = await deps.views.case(case_id)
    assert case["results"] is None and case["contact_erased"] is True
