"""The field types of the event contracts: lengths, patterns and ranges every producer is held to."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from koonto.shared.contracts.base import Contract

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=100)]
UtcDatetime = AwareDatetime
Euros = Annotated[int, Field(ge=0, le=1_000_000_000)]
LanguageCode = Literal["fi", "sv", "en"]
AdviceSlotKind = Literal["in_person", "phone", "online"]  # how an advice session is held
E164 = r"^\+[1-9][0-9]{6,14}$"
Phone = Annotated[str, StringConstraints(pattern=E164)]
# An address shown to the public: https only, no spaces, quotes or angle brackets (the producer checks it further,
# e.g. advisory's `domain/results.py`; this is the contract's floor)
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"'\\]+$", max_length=2000)]
# A personal field as it travels in the stream: sealed per person (`enc:v1:<key id>:<base64>`), or `enc:erased`
# where the consumer could not open it because the person's key is destroyed (koonto.shared.sealing).
Sealed = Annotated[
    str, StringConstraints(pattern=r"^enc:(v1:[A-Za-z0-9._-]{1,100}:[A-Za-z0-9+/]+={0,2}|erased)$", max_length=40_000)
]


class AdviceTime(Contract):
    """When an advice session is held, how and by whom: as an advisor published the time (advice-slot-published)
    and as intake booked it (advice-session-booked)."""

    starts_at: UtcDatetime
    ends_at: UtcDatetime
    kind: AdviceSlotKind
    place: ShortText | None = Field(default=None, description="where, for a session in person")
    online_url: str | None = Field(default=None, max_length=2000, description="the meeting link, for one online")
    advisor_id: Id
    advisor_name: ShortText
