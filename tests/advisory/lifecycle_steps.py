"""Walking a case forward through the lifecycle in a test, with what each stage asks for (a call, the amounts,
the public summary): for tests that need a funded or closed case (the unit and integration tests of results)."""

from __future__ import annotations

from datetime import date
from typing import Any

from koonto.advisory.bootstrap import AdvisoryContainer
from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.lifecycle import TransitionRequest

STEPS: dict[str, dict[str, Any]] = {
    "sparring": {},
    "preparing": {"call_id": None},  # the call made by `move_to`
    "submitted": {"amount_applied_eur": 48_000},
    "funded": {"amount_granted_eur": 42_500},
    "implementation": {},
    "closed": {"public_summary": "Kylätalo avattiin."},
}


async def move_to(deps: AdvisoryContainer, actor: Actor, case_id: str, stage: str) -> None:
    """Move a case that is at `idea` forward to `stage` (nothing for "idea"), making a funding call for it."""
    if stage == "idea":
        return
    call = await deps.calls.create_call(
        actor,
        name="Haku",
        funder="Leader",
        opens_on=date(2026, 12, 1),
        closes_on=date(2027, 2, 28),
        budget_eur=100_000,
        url=None,
        description="",
    )
    for step, values in STEPS.items():
        given = {k: call["_id"] if k == "call_id" else v for k, v in values.items()}
        await deps.cases.transition(actor, case_id, TransitionRequest(target=step, **given))
        if step == stage:
            return
