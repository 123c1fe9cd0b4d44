"""The replay's reader: events from the stream as contract models without validating them again.

Every event in the stream was validated when it was built (contracts are strict when built), and the live
consumers validated it again when they read it, so the rebuild need not spend its time on it (the profile of a
100,000-event rebuild: 6.9 s of validation, 4.5 s of it on e-mail addresses reporting never reads). This reader
keeps the tolerant reader's meaning -- fields the model does not declare are ignored, at every depth, and missing
optional ones take their defaults -- and builds the models with `model_construct`, converting only what the
handlers use as values: sub-models, datetimes, dates and tuples.

A message it cannot read this way (not JSON, not an object, a required field missing, a date that does not
parse) goes to the validating reader, which the live consumer would use: so an event the live path refuses is
refused here too, for the same reason.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, TypeVar, Union

from pydantic import AwareDatetime, BaseModel

from koonto.reporting.use_cases.projection import BY_TYPE
from koonto.shared.contracts import Envelope, EventData

Convert = Callable[[Any], Any]
M = TypeVar("M", bound=BaseModel)


class Unreadable(ValueError):
    """Not readable without validation: read it with the validating reader instead."""


def _same(value: Any) -> Any:
    return value


def _datetime(value: Any) -> Any:
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise Unreadable("a naive datetime")  # the contracts refuse one; let the validating reader say so
        return parsed
    return value


def _date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _converter(annotation: Any) -> Convert:
    """How a JSON value becomes the value of a field of this type (identity for the plain ones)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _converter(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return lambda value: construct(annotation, value)
    if annotation in (datetime, AwareDatetime):  # AwareDatetime: a marker class at runtime, not a datetime
        return _datetime
    if annotation is date:
        return _date
    if origin in (Union, types.UnionType):
        options = [_converter(a) for a in args if a is not type(None)]
        converting = [c for c in options if c is not _same]
        if not converting:
            return _same
        if len(converting) == 1 and len(options) == 1:
            only = converting[0]
            return lambda value: None if value is None else only(value)
        raise TypeError(f"no trusted reading for {annotation}")
    if origin is tuple and args:
        item = _converter(args[0])
        return lambda value: tuple(item(v) for v in value) if isinstance(value, list) else value
    if origin is list and args:
        item = _converter(args[0])
        return (lambda value: value) if item is _same else (lambda value: [item(v) for v in value])
    return _same


@cache
def _plan(model: type[BaseModel]) -> tuple[tuple[tuple[str, Convert], ...], frozenset[str]]:
    """Per model, once: the converter of each field and the fields a message must carry."""
    fields = tuple((name, _converter(info.annotation)) for name, info in model.model_fields.items())
    required = frozenset(name for name, info in model.model_fields.items() if info.is_required())
    return fields, required


def construct(model: type[M], data: Any) -> M:
    """`data` as `model`, unknown fields ignored, nothing validated (`Unreadable` when that cannot be done)."""
    if not isinstance(data, dict):
        raise Unreadable(f"{model.__name__} is not an object")
    fields, required = _plan(model)
    if not required <= data.keys():
        raise Unreadable(f"{model.__name__} lacks {sorted(required - data.keys())}")
    try:
        values = {name: convert(data[name]) for name, convert in fields if name in data}
    except (TypeError, ValueError) as error:
        raise Unreadable(str(error)) from error
    return model.model_construct(**values)


def read(model: type[M], data: Any) -> M:
    """The trusted reading, else the validating one (`Model.read`, which raises what the live consumer would)."""
    try:
        return construct(model, data)
    except Unreadable:
        return model.read(data)  # type: ignore[attr-defined,no-any-return]


def envelope(body: bytes) -> Envelope:
    """An envelope from the stream (raises `ValueError`, as `Envelope.read_json`, when it is not one: a JSON
    error, or the validating reader's `ValidationError`)."""
    return read(Envelope, json.loads(body))


def event_data(env: Envelope) -> EventData | None:
    """The event of an envelope as its reporting model (None for a type reporting does not consume)."""
    entry = BY_TYPE.get(env.type)
    return None if entry is None else read(entry[0], env.data)
