"""CloudEvents 1.0 envelope with the `correlationid`, `region` and `traceparent` extension attributes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from koonto.shared.clock import utcnow
from koonto.shared.contracts.base import Contract, EventData
from koonto.shared.contracts.fields import UtcDatetime
from koonto.shared.ids import new_event_id


class Envelope(Contract):
    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=64, description="UUIDv7; also the Nats-Msg-Id header")
    source: str = Field(min_length=1, max_length=200, description="producing service, e.g. /koonto/intake")
    type: str = Field(pattern=r"^koonto\.[a-z]+\.[a-z][a-z-]*\.v[0-9]+$")
    subject: str = Field(min_length=1, max_length=200, description="id of the entity the event is about")
    time: UtcDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    correlationid: str = Field(min_length=1, max_length=100)
    region: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9-]+$")
    traceparent: str | None = Field(default=None, max_length=100)
    data: dict[str, Any]

    def typed(self) -> EventData:
        """The payload as its registered contract model (raises ValidationError / KeyError)."""
        from koonto.shared.contracts.registry import decode_data

        return decode_data(self.type, self.data)


def make_envelope(
    data: EventData,
    *,
    subject: str,
    region: str,
    correlation_id: str | None = None,
    traceparent: str | None = None,
    event_id: str | None = None,
) -> Envelope:
    event_id = event_id or new_event_id()
    if traceparent is None:
        from koonto.shared.tracing import current_traceparent

        traceparent = current_traceparent()
    return Envelope(
        id=event_id,
        source=f"/koonto/{data.producer}",
        type=data.event_type(),
        subject=subject,
        time=utcnow(),
        correlationid=correlation_id or event_id,
        region=region,
        traceparent=traceparent,
        data=data.model_dump(mode="json"),
    )
