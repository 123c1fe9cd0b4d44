"""Base class for event payloads: frozen, named by producer/name/version; strict when built, tolerant when read.

Building a model (`Model(...)`, `model_validate`) refuses unknown fields, so a producer cannot send a field the
contract does not declare. Reading one (`Model.read(data)`, `Envelope.read_json(body)`) drops the fields this
version of the model does not know, at every depth, and validates the rest as strictly as ever: a producer that
adds an optional field (an additive change within a version) never dead-letters an older consumer.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Annotated, Any, ClassVar, Self, Union

from pydantic import BaseModel, ConfigDict

SUBJECT_PREFIX = "koonto"


class Contract(BaseModel):
    """Every contract model (payloads and their parts) is immutable and rejects unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    @classmethod
    def read(cls, data: Any) -> Self:
        """The tolerant reader: unknown fields ignored (at any depth), known ones validated."""
        return cls.model_validate(known_fields(cls, data))

    @classmethod
    def read_json(cls, body: bytes | str) -> Self:
        return cls.read(json.loads(body))


def _filter(annotation: Any, item: Any) -> Any:
    """`item` read as `annotation`, without the keys of any sub-model it does not declare."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return known_fields(annotation, item)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _filter(args[0], item)
    if origin in (Union, types.UnionType):
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        others = [a for a in args if a is not type(None) and a not in models]
        if len(models) == 1 and not others and isinstance(item, dict):
            return known_fields(models[0], item)
        return item  # a union of several shapes: left to pydantic as it is
    if origin in (list, tuple, set, frozenset) and args and isinstance(item, list | tuple):
        return [_filter(args[0], v) for v in item]
    if origin is dict and len(args) == 2 and isinstance(item, dict):
        return {k: _filter(args[1], v) for k, v in item.items()}
    return item


def known_fields(model: type[BaseModel], value: Any) -> Any:
    """`value` without the keys `model` does not declare, recursively through its sub-models."""
    if not isinstance(value, dict):
        return value
    kept: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias if field.alias and field.alias in value else name
        if key in value:
            kept[key] = _filter(field.annotation, value[key])
    return kept


class EventData(Contract):
    """The `data` of one event type, named in its class line: a producer's base class gives `producer`
    (`class IntakeEvent(EventData, producer="intake")`), each event its name and summary
    (`class IdeaAmended(IntakeEvent, name="idea-amended", summary="...")`); `version` defaults to 1.
    All four stay plain class attributes (`Model.producer`, `Model.event_name`, `Model.summary`)."""

    producer: ClassVar[str]
    event_name: ClassVar[str]
    version: ClassVar[int] = 1
    summary: ClassVar[str] = ""

    def __init_subclass__(
        cls,
        *,
        producer: str | None = None,
        name: str | None = None,
        summary: str | None = None,
        version: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if producer is not None:
            cls.producer = producer
        if name is not None:
            cls.event_name = name
        if summary is not None:
            cls.summary = summary
        if version is not None:
            cls.version = version

    @classmethod
    def event_type(cls) -> str:
        return event_type(cls.producer, cls.event_name, cls.version)


def event_type(producer: str, name: str, version: int) -> str:
    """The type attribute and the NATS subject are the same string: koonto.<producer>.<event>.v<N>."""
    return f"{SUBJECT_PREFIX}.{producer}.{name}.v{version}"
