"""Strict when built, tolerant when read: an additive change by a producer never breaks an older consumer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from koonto.shared.contracts import REGISTRY, Envelope, model_for
from koonto.shared.contracts.intake import IdeaSubmitted
from tests.support.samples import envelope, example_instance, idea_submitted

pytestmark = pytest.mark.unit


def with_extras(value: Any, depth: int = 0) -> Any:
    """`value` with an unknown field added to every object in it, at every depth."""
    if isinstance(value, dict):
        grown = {k: with_extras(v, depth + 1) for k, v in value.items()}
        grown[f"added_in_a_later_release_{depth}"] = {"nested": [1, 2]}
        return grown
    if isinstance(value, list):
        return [with_extras(v, depth + 1) for v in value]
    return value


@pytest.mark.parametrize("type_", sorted(REGISTRY))
def test_every_contract_reads_past_unknown_fields_at_any_depth(type_: str) -> None:
    model = model_for(type_)
    instance = example_instance(model)
    grown = with_extras(json.loads(instance.model_dump_json()))
    assert model.read(grown) == instance
    with pytest.raises(ValidationError):
        model.model_validate(grown)  # building stays strict


def test_envelope_reads_past_new_attributes_and_data_fields() -> None:
    data = idea_submitted()
    body = json.loads(envelope(data).model_dump_json())
    body["newextension"] = "x"
    body["data"] = with_extras(body["data"])
    read = Envelope.read_json(json.dumps(body))
    assert read.typed() == data
    with pytest.raises(ValidationError):
        Envelope.model_validate(body)


def test_known_fields_are_still_validated_when_read() -> None:
    body = json.loads(idea_submitted().model_dump_json())
    body["extra"] = 1
    body["organisation"]["business_id"] = {"$gt": ""}
    with pytest.raises(ValidationError) as info:
        IdeaSubmitted.read(body)
    assert "business_id" in str(info.value)
    del body["title"]
    with pytest.raises(ValidationError):
        IdeaSubmitted.read(body)
