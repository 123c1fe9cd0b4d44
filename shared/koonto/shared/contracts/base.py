"""Base class for event payloads: frozen, strict about unknown fields, named by producer/name/version."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

SUBJECT_PREFIX = "koonto"

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=100)]
UtcDatetime = AwareDatetime
Euros = Annotated[int, Field(ge=0, le=1_000_000_000)]
LanguageCode = Literal["fi", "sv", "en"]


class Contract(BaseModel):
    """Every contract model (payloads and their parts) is immutable and rejects unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


class EventData(Contract):
    """The `data` of one event type. Subclasses set producer, name and version."""

    producer: ClassVar[str]
    event_name: ClassVar[str]
    version: ClassVar[int] = 1
    summary: ClassVar[str] = ""

    @classmethod
    def event_type(cls) -> str:
        return event_type(cls.producer, cls.event_name, cls.version)


def event_type(producer: str, name: str, version: int) -> str:
    """The type attribute and the NATS subject are the same string: koonto.<producer>.<event>.v<N>."""
    return f"{SUBJECT_PREFIX}.{producer}.{name}.v{version}"
