"""Contracts: frozen, strict, round-trip through JSON, one registry, subject naming."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from koonto.shared.contracts import REGISTRY, Envelope, EventData, model_for
from koonto.shared.contracts.intake import IdeaSubmitted
from koonto.shared.ids import uuid7
from tests.support.samples import envelope, idea_submitted
from tests.support.samples import example_instance as _example_instance

CATALOGUE = {
    "koonto.intake.idea-submitted.v1", "koonto.intake.idea-amended.v1", "koonto.intake.registration-received.v1",
    "koonto.intake.subscription-requested.v1", "koonto.intake.subscription-confirmed.v1",
    "koonto.intake.subscription-cancelled.v1", "koonto.intake.erasure-requested.v1",
    "koonto.advisory.case-opened.v1", "koonto.advisory.case-assigned.v1", "koonto.advisory.stage-changed.v1",
    "koonto.advisory.session-logged.v1", "koonto.advisory.association-messaged.v1",
    "koonto.advisory.followup-due.v1", "koonto.advisory.call-opened.v1", "koonto.advisory.call-closing-soon.v1",
    "koonto.advisory.call-closed.v1", "koonto.advisory.event-scheduled.v1",
    "koonto.advisory.attendance-recorded.v1", "koonto.notify.notification-sent.v1",
    "koonto.notify.notification-failed.v1",
}


def test_catalogue_is_registered_with_subject_naming() -> None:
    assert CATALOGUE <= set(REGISTRY)
    for type_, model in REGISTRY.items():
        producer, name, version = type_.split(".")[1:]
        assert type_ == f"koonto.{model.producer}.{model.event_name}.v{model.version}"
        assert version.startswith("v") and producer in {"intake", "advisory", "notify"} and name


@pytest.mark.parametrize("type_", sorted(REGISTRY))
def test_every_contract_round_trips_and_is_strict(type_: str) -> None:
    model = model_for(type_)
    instance = _example_instance(model)
    # round trip through JSON
    assert model.model_validate_json(instance.model_dump_json()) == instance
    # frozen
    first_field = next(iter(model.model_fields))
    with pytest.raises(ValidationError):
        setattr(instance, first_field, getattr(instance, first_field))
    # unknown fields rejected, with the field named
    payload = json.loads(instance.model_dump_json())
    payload["unexpected_field"] = 1
    with pytest.raises(ValidationError) as info:
        model.model_validate(payload)
    assert "unexpected_field" in str(info.value) and "Extra inputs are not permitted" in str(info.value)


@pytest.mark.parametrize("type_", sorted(REGISTRY))
def test_every_contract_rejects_wrong_types(type_: str) -> None:
    model = model_for(type_)
    payload = json.loads(_example_instance(model).model_dump_json())
    field = next(iter(model.model_fields))
    payload[field] = {"$gt": ""}  # an object where a scalar belongs: never silently accepted
    with pytest.raises(ValidationError) as info:
        model.model_validate(payload)
    assert field in str(info.value)


def test_envelope_carries_cloudevents_attributes_and_typed_data() -> None:
    data = idea_submitted()
    env = envelope(data, correlation_id="corr-1")
    assert env.specversion == "1.0" and env.type == "koonto.intake.idea-submitted.v1"
    assert env.source == "/koonto/intake" and env.subject == data.idea_id and env.region == "pohjois-savo"
    assert env.correlationid == "corr-1" and env.time.tzinfo is not None
    again = Envelope.model_validate_json(env.model_dump_json())
    assert again == env and again.typed() == data
    with pytest.raises(ValidationError):
        Envelope.model_validate({**json.loads(env.model_dump_json()), "extra": 1})


def test_wrong_types_give_a_clear_message() -> None:
    with pytest.raises(ValidationError) as info:
        payload = {**json.loads(idea_submitted().model_dump_json()), "estimated_budget_eur": "paljon"}
        IdeaSubmitted.model_validate(payload)
    assert "estimated_budget_eur" in str(info.value) and "integer" in str(info.value)


def test_uuid7_is_version_7_and_time_ordered() -> None:
    ids = [uuid7() for _ in range(2000)]
    assert all(u.version == 7 for u in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


@given(st.text(max_size=50), st.integers(min_value=0, max_value=10**9))
def test_idea_round_trip_property(title: str, budget: int) -> None:
    try:
        idea = idea_submitted(title=title, estimated_budget_eur=budget)
    except ValidationError:
        assert not (1 <= len(title) <= 200)
        return
    assert IdeaSubmitted.model_validate_json(idea.model_dump_json()) == idea


def test_event_data_base_is_abstract_in_registry() -> None:
    assert EventData not in REGISTRY.values()


def test_an_event_is_named_in_its_class_line_and_its_producer_base_and_field_groups_are_not_events() -> None:
    from koonto.shared.contracts.advisory import CallClosed, CallEvent
    from koonto.shared.contracts.intake import IdeaAmended, IntakeEvent, SubscriberEvent

    class Probe(IntakeEvent, name="probe-sent", summary="A probe.", version=2):
        probe_id: str

    assert (Probe.producer, Probe.event_name, Probe.version, Probe.summary) == ("intake", "probe-sent", 2, "A probe.")
    assert Probe.event_type() == "koonto.intake.probe-sent.v2"
    assert IdeaAmended.event_type() == "koonto.intake.idea-amended.v1"
    assert IdeaAmended.summary.startswith("The association added")
    assert list(CallClosed.model_fields) == ["call_id", "name", "closed_on"]
    assert {IntakeEvent, SubscriberEvent, CallEvent}.isdisjoint(REGISTRY.values())
    with pytest.raises(ValidationError):
        CallClosed(call_id="c1", name="Haku", closed_on="2026-11-29", extra_field=1)  # type: ignore[call-arg]
