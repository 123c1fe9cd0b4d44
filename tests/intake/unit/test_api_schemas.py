"""The OpenAPI request schemas of the JSON API and the hand-written validators describe the same bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from koonto.intake.domain import fields as fields_module
from koonto.intake.domain.ideas import validate_idea
from koonto.intake.domain.registrations import validate_registration
from koonto.intake.domain.subscriptions import validate_subscription
from koonto.intake.web.schemas import IdeaRequest, RegistrationRequest, SubscriptionRequest, request_body
from koonto.shared.region import load_region

REGION = load_region("pohjois-savo")

FULL_IDEA = {
    "organisation": {"name": "Kyläyhdistys Toivala ry", "type": "registered_association",
                     "business_id": "1572860-0", "municipality": "other", "municipality_other": "Hanko"},
    "contact": {"name": "Maija", "email": "maija@example.fi", "phone": "040 123 4567", "language": "sv",
                "channel": "sms"},
    "title": "Kylätalo", "description": "Kuvaus", "themes": ["village"], "target_groups": ["nuoret"],
    "estimated_budget_eur": 25000, "schedule": "2027",
    "consents": {"privacy_notice": True, "call_announcements": True, "newsletter": True, "publication": True},
}
FULL_REGISTRATION = {
    "scheduled_event_id": "e-1",
    "participant": {"name": "Pekka", "email": "pekka@example.fi", "phone": "+358401234567", "language": "fi",
                    "channel": "email"},
    "organisation_name": "Kyläyhdistys", "municipality": "kuopio", "consents": {"privacy_notice": True},
}
FULL_SUBSCRIPTION = {
    "email": "a@example.fi", "topics": ["call_announcements", "newsletter", "events"], "language": "en",
    "municipality": "iisalmi", "consents": {"privacy_notice": True},
}

CASES: list[tuple[type[BaseModel], Callable[..., Any], dict[str, Any]]] = [
    (IdeaRequest, validate_idea, FULL_IDEA),
    (RegistrationRequest, validate_registration, FULL_REGISTRATION),
    (SubscriptionRequest, validate_subscription, FULL_SUBSCRIPTION),
]


def schema_paths(schema: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        paths.add(path)
        for option in [sub, *sub.get("anyOf", [])]:
            if option.get("type") == "object":
                paths |= schema_paths(option, f"{path}.")
    return paths


def fields_read_by(validator: Callable[..., Any], body: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> set[str]:
    read: set[str] = set()
    original = fields_module.Fields._take

    def spy(self: fields_module.Fields, name: str) -> Any:
        read.add(self.key(name))
        return original(self, name)

    monkeypatch.setattr(fields_module.Fields, "_take", spy)
    validator(body, REGION)
    monkeypatch.undo()
    return read


@pytest.mark.parametrize(("model", "validator", "body"), CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_a_body_with_every_documented_field_is_accepted_as_documented(model, validator, body) -> None:  # type: ignore[no-untyped-def]
    model.model_validate(body)  # the example is what the schema describes
    draft, errors = validator(body, REGION)
    assert errors == {} and draft is not None


@pytest.mark.parametrize(("model", "validator", "body"), CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_the_validator_reads_exactly_the_documented_fields(model, validator, body, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    documented = schema_paths({"properties": _resolved(model)})
    assert fields_read_by(validator, body, monkeypatch) == documented


@pytest.mark.parametrize(("model", "validator", "body"), CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_the_route_schema_stands_alone(model, validator, body) -> None:  # type: ignore[no-untyped-def]
    text = json.dumps(request_body(model))
    assert "$ref" not in text and "$defs" not in text
    schema = request_body(model)["requestBody"]["content"]["application/json"]["schema"]
    assert schema["additionalProperties"] is False  # unknown fields are refused, as the validator does


def _resolved(model: type[BaseModel]) -> dict[str, Any]:
    schema = request_body(model)["requestBody"]["content"]["application/json"]["schema"]
    return schema["properties"]  # type: ignore[no-any-return]
