"""The case lifecycle state machine, without servers."""

from __future__ import annotations

import itertools

import pytest

from koonto.advisory.domain.lifecycle import (
    MOVES,
    OPEN_STAGES,
    STAGES,
    CaseFacts,
    TransitionIncomplete,
    TransitionRefused,
    TransitionRequest,
    allowed_targets,
    decide,
)
from koonto.shared.stages import STAGE_LABELS

# what each target needs so that an allowed move goes through
COMPLETE = {
    "preparing": {"call_id": "call-1"},
    "submitted": {"amount_applied_eur": 40_000},
    "funded": {"amount_granted_eur": 35_000},
    "closed": {"public_summary": "Kylätalo avattiin; 1 200 kävijää ensimmäisenä vuonna."},
}


def test_every_stage_has_its_finnish_label() -> None:
    assert set(STAGE_LABELS) == set(STAGES)
    assert STAGE_LABELS["supplementing"] == "Täydennyspyyntö" and STAGE_LABELS["withdrawn"] == "Ei etene"


def test_the_main_path_runs_forward_without_reasons() -> None:
    path = ["idea", "sparring", "preparing", "submitted", "funded", "implementation", "closed"]
    for source, target in itertools.pairwise(path):
        decision = decide(
            CaseFacts(source, call_id="call-1", amount_applied_eur=40_000, amount_granted_eur=35_000),
            TransitionRequest(target, **COMPLETE.get(target, {})),
        )  # type: ignore[arg-type]
        assert decision.move.kind == "forward" and decision.reason is None


@pytest.mark.parametrize(("source", "target"), [(a, b) for (a, b), m in MOVES.items() if m.needs_reason])
def test_backward_steps_and_withdrawal_need_a_reason(source: str, target: str) -> None:
    facts = CaseFacts(source, call_id="call-1", amount_applied_eur=1, amount_granted_eur=1)
    with pytest.raises(TransitionIncomplete) as refused:
        decide(facts, TransitionRequest(target, **COMPLETE.get(target, {})))  # type: ignore[arg-type]
    assert refused.value.field == "reason"
    decision = decide(facts, TransitionRequest(target, reason="  syy  ", **COMPLETE.get(target, {})))  # type: ignore[arg-type]
    assert decision.reason == "syy"


def test_withdrawn_is_reachable_from_every_open_stage_and_nothing_leaves_it() -> None:
    for stage in OPEN_STAGES:
        assert "withdrawn" in allowed_targets(stage)
    assert allowed_targets("withdrawn") == ()
    assert allowed_targets("closed") == ("implementation",)  # only to reopen a returned final report


def test_supplementing_returns_to_submitted_and_declined_goes_back_to_sparring() -> None:
    assert allowed_targets("submitted") == ("preparing", "supplementing", "funded", "declined", "withdrawn")
    back = decide(CaseFacts("supplementing", call_id="c", amount_applied_eur=10), TransitionRequest("submitted"))
    assert back.move.kind == "forward" and back.amount_applied_eur == 10
    retry = decide(
        CaseFacts("declined", call_id="c", amount_applied_eur=10),
        TransitionRequest("sparring", reason="Seuraava haku keväällä"),
    )
    assert retry.call_id is None and retry.amount_applied_eur is None  # named again for the next call


@pytest.mark.parametrize("source", STAGES)
def test_moves_outside_the_machine_are_refused_naming_the_allowed_ones(source: str) -> None:
    for target in STAGES:
        if (source, target) in MOVES:
            continue
        with pytest.raises(TransitionRefused) as refused:
            decide(CaseFacts(source), TransitionRequest(target, reason="x", **COMPLETE.get(target, {})))  # type: ignore[arg-type]
        assert refused.value.allowed == allowed_targets(source)
    with pytest.raises(TransitionRefused):
        decide(CaseFacts(source), TransitionRequest("nonsense"))


def test_targets_demand_their_facts() -> None:
    with pytest.raises(TransitionIncomplete) as no_call:
        decide(CaseFacts("sparring"), TransitionRequest("preparing"))
    assert no_call.value.field == "call_id"
    with pytest.raises(TransitionIncomplete) as unknown_call:
        decide(CaseFacts("sparring"), TransitionRequest("preparing", call_id="x"), known_call=False)
    assert unknown_call.value.field == "call_id"
    with pytest.raises(TransitionIncomplete) as no_amount:
        decide(CaseFacts("preparing", call_id="c"), TransitionRequest("submitted"))
    assert no_amount.value.field == "amount_applied_eur"
    with pytest.raises(TransitionIncomplete) as no_grant:
        decide(CaseFacts("submitted", amount_applied_eur=5), TransitionRequest("funded"))
    assert no_grant.value.field == "amount_granted_eur"
    with pytest.raises(TransitionIncomplete) as no_summary:
        decide(CaseFacts("implementation", amount_granted_eur=5), TransitionRequest("closed"))
    assert no_summary.value.field == "public_summary"


def test_amounts_are_carried_and_a_step_back_keeps_the_call() -> None:
    funded = decide(
        CaseFacts("submitted", call_id="c", amount_applied_eur=50_000),
        TransitionRequest("funded", amount_granted_eur=45_000),
    )
    assert (funded.amount_applied_eur, funded.amount_granted_eur, funded.call_id) == (50_000, 45_000, "c")
    implementation = decide(
        CaseFacts("funded", call_id="c", amount_applied_eur=50_000, amount_granted_eur=45_000),
        TransitionRequest("implementation"),
    )
    assert implementation.amount_granted_eur == 45_000
    back = decide(CaseFacts("submitted", call_id="c", amount_applied_eur=1), TransitionRequest("preparing", reason="r"))
    assert back.call_id == "c"
