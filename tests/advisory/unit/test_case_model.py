"""domain/case.py: a case built from an idea, and the events its steps cause (pure, no store)."""

from __future__ import annotations

from datetime import UTC, datetime

from koonto.advisory.domain.actor import Actor
from koonto.advisory.domain.case import Case, case_id_for
from koonto.advisory.domain.schedule import ServiceLevel
from tests.support.samples import idea_submitted

NOW = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
ADVISOR = Actor("staff-1", "Niina", ("advisor",))


def test_open_round_trips_and_says_case_opened() -> None:
    idea = idea_submitted()
    case = Case.open(idea, region="pohjois-savo", now=NOW, service_level=ServiceLevel(3))
    assert case.id == case_id_for(idea.idea_id) and case.stage == "idea" and case.sla["deadline"] == "2026-12-09"
    again = Case.from_document({**case.to_document(), "stage_changed_ms": 1})
    assert again.to_document()["stage_changed_ms"] == 1 and again.timeline == case.timeline
    opened = case.opened()
    assert opened.case_id == case.id and opened.organisation.municipality == "siilinjarvi"


def test_assign_returns_changes_and_case_assigned() -> None:
    case = Case.open(idea_submitted(), region="pohjois-savo", now=NOW, service_level=ServiceLevel(3))
    changes, event = case.assign(ADVISOR, "staff-1", "Niina", NOW)
    assert changes["advisor_id"] == "staff-1" and event.previous_advisor_id is None
    [entry] = [v for k, v in changes.items() if k.startswith("timeline.")]
    assert entry["kind"] == "assigned" and entry["advisor_name"] == "Niina"
    assert case.first_contact(NOW) == {"first_contact_at": NOW}
