"""One registry from event type to contract model."""

from __future__ import annotations

from typing import Any

from koonto.shared.contracts import advisory, intake, notify
from koonto.shared.contracts.base import EventData

_MODULES = (intake, advisory, notify)

REGISTRY: dict[str, type[EventData]] = {
    model.event_type(): model
    for module in _MODULES
    for model in vars(module).values()
    if isinstance(model, type) and issubclass(model, EventData) and model is not EventData
    and "event_name" in vars(model)
}


def model_for(type_: str) -> type[EventData]:
    try:
        return REGISTRY[type_]
    except KeyError:
        raise KeyError(f"unknown event type {type_!r}") from None


def subject_for(model: type[EventData] | EventData) -> str:
    return model.event_type()


def decode_data(type_: str, data: dict[str, Any]) -> EventData:
    return model_for(type_).read(data)
