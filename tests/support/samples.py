"""Sample events for tests: valid by default, any field overridable."""

from __future__ import annotations

import types
import typing
import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from koonto.shared.contracts import Envelope, EventData, make_envelope
from koonto.shared.contracts.intake import Consents, Contact, IdeaSubmitted, Organisation

M = TypeVar("M", bound=BaseModel)


def idea_submitted(**overrides: Any) -> IdeaSubmitted:
    idea_id = overrides.pop("idea_id", str(uuid.uuid4()))
    values: dict[str, Any] = {
        "idea_id": idea_id,
        "reference": overrides.pop("reference", "KOO-2026-0001"),
        "submitted_at": datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        "organisation": Organisation(
            name="Kyläyhdistys Toivala ry", type="registered_association", business_id="1572860-0",
            municipality="siilinjarvi",
        ),
        "contact": Contact(
            name="Maija Meikäläinen", email="maija@example.fi", phone="+358401234567", language="fi",
            channel="email",
        ),
        "title": "Kylätalon kohtaamispaikka",
        "description": "Avataan kylätalo kaikenikäisten kohtaamispaikaksi.",
        "themes": ("village", "inclusion"),
        "target_groups": ("ikäihmiset", "lapsiperheet"),
        "estimated_budget_eur": 25000,
        "schedule": "2027",
        "consents": Consents(privacy_notice=True, publication=True),
        "status_url": f"http://127.0.0.1:8001/tila/{idea_id}?t=signed",
    }
    values.update(overrides)
    return IdeaSubmitted(**values)


def envelope(data: EventData, *, subject: str | None = None, region: str = "pohjois-savo", **kw: Any) -> Envelope:
    subject = subject or str(getattr(data, "idea_id", None) or getattr(data, "case_id", None) or uuid.uuid4())
    return make_envelope(data, subject=subject, region=region, **kw)


def _example_value(annotation: typing.Any, field_name: str) -> typing.Any:
    """A valid value for a field, derived from its type (enough to build every contract)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _example_value(args[0], field_name)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        return _example_value(non_none[0], field_name)
    if origin is typing.Literal:
        return args[0]
    if origin is tuple:
        if len(args) > 1 and args[1] is not Ellipsis:  # a fixed-size tuple: one value per position
            return tuple(_example_value(arg, field_name) for arg in args)
        return (_example_value(args[0], field_name),)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return example_instance(annotation)
    if annotation is bool:
        return True
    if annotation is int:
        return 1
    if annotation is datetime:
        return datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    name = getattr(annotation, "__name__", str(annotation))
    if "date" == name:
        return datetime(2026, 11, 29).date()
    if "Email" in name or "email" in field_name:
        return "person@example.fi"
    if "phone" in field_name:
        return "+358401234567"
    if field_name == "business_id":
        return "1572860-0"
    if field_name.endswith("_url"):
        return "https://example.fi/x"
    if field_name == "sha256":
        return "0" * 64
    if "Datetime" in name or field_name.endswith("_at"):
        return datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    return "x"


def example_instance(model: type[M]) -> M:
    """A valid instance of any contract model, its values derived from the field types."""
    values = {}
    for name, field in model.model_fields.items():
        values[name] = _example_value(field.annotation, name)
    return model.model_validate(values)
