"""Which fields of which events are personal, whose they are, and how an event's data is sealed and opened.

Sealing happens once, in the outbox relay just before an event is published (`Sealer.seal_body`); opening
happens in the shared consumer before the handler sees the event (`Opener.open`). Handlers see plain values,
or `ERASED` where the key is gone. Fields left out here are not personal (ids, times, organisation names,
topics, signed links that carry only ids).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from koonto.shared.contracts import Envelope, EventData
from koonto.shared.contracts.advisory import AssociationMessaged
from koonto.shared.contracts.intake import (
    AdviceSessionBooked,
    ErasureRequested,
    IdeaAmended,
    IdeaDraftSaved,
    IdeaSubmitted,
    RegistrationReceived,
    SubscriptionCancelled,
    SubscriptionConfirmed,
    SubscriptionRequested,
)
from koonto.shared.contracts.notify import ConsentWithdrawn
from koonto.shared.mongo import Document
from koonto.shared.sealing.cipher import ERASED, is_sealed, kid_of, open_sealed, seal
from koonto.shared.sealing.keys import Keys, email_subject, idea_subject

Path = tuple[str | int, ...]
EACH = "*"  # in a rule's path: every item of a list (an attachment's name in idea-submitted)


@dataclass(frozen=True)
class Rule:
    subject: Callable[[Document], str | None]  # the data subject whose key seals the fields
    fields: tuple[Path, ...]


def _by_idea(data: Document) -> str | None:
    return idea_subject(str(data["idea_id"])) if data.get("idea_id") else None


def _by_email(*path: str) -> Callable[[Document], str | None]:
    def subject(data: Document) -> str | None:
        value = _get(data, path)
        return email_subject(value) if isinstance(value, str) and not is_sealed(value) else None

    return subject


CONTACT: tuple[Path, ...] = (("contact", "name"), ("contact", "email"), ("contact", "phone"))
PARTICIPANT: tuple[Path, ...] = (("participant", "name"), ("participant", "email"), ("participant", "phone"))

RULES: dict[type[EventData], Rule] = {
    IdeaSubmitted: Rule(_by_idea, (*CONTACT, ("attachments", EACH, "name"))),  # a file name may name a person
    IdeaAmended: Rule(_by_idea, CONTACT),
    AssociationMessaged: Rule(_by_idea, (("body",),)),
    RegistrationReceived: Rule(
        _by_email("participant", "email"), (*PARTICIPANT, ("gender",), ("dietary_needs",), ("accessibility_needs",))
    ),
    AdviceSessionBooked: Rule(_by_email("contact", "email"), (*CONTACT, ("topic",))),
    SubscriptionRequested: Rule(_by_email("email"), (("email",),)),
    IdeaDraftSaved: Rule(_by_email("email"), (("email",),)),
    SubscriptionConfirmed: Rule(_by_email("email"), (("email",),)),
    SubscriptionCancelled: Rule(_by_email("email"), (("email",),)),
    ErasureRequested: Rule(_by_email("email"), (("email",), ("phone",))),
    ConsentWithdrawn: Rule(_by_email("email"), (("email",),)),
}
BY_TYPE: dict[str, Rule] = {model.event_type(): rule for model, rule in RULES.items()}


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _set(data: Any, path: Path, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _expand(data: Any, path: Path) -> list[Path]:
    """The concrete paths of `path` in `data`: an EACH stands for every index of the list found there."""
    if EACH not in path:
        return [path]
    at = path.index(EACH)
    items = _get(data, path[:at])
    if not isinstance(items, list):
        return []
    return [p for i in range(len(items)) for p in _expand(data, (*path[:at], i, *path[at + 1:]))]


class Sealer:
    """Seals the personal fields of an event body (the JSON of its envelope) with its data subject's key."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys

    async def seal_data(self, event_type: str, data: Document) -> Document:
        rule = BY_TYPE.get(event_type)
        if rule is None:
            return data
        subject = rule.subject(data)
        paths = [p for field in rule.fields for p in _expand(data, field)]
        targets = [p for p in paths if isinstance(_get(data, p), str) and not is_sealed(_get(data, p))]
        if subject is None or not targets:
            return data
        kid, key = await self.keys.key_for(subject)
        sealed = json.loads(json.dumps(data))  # a deep copy of plain JSON
        for path in targets:
            _set(sealed, path, seal(kid, key, _get(sealed, path)))
        return sealed

    async def seal_body(self, event_type: str, body: str) -> str:
        if event_type not in BY_TYPE:
            return body
        envelope = json.loads(body)
        data = envelope.get("data")
        if not isinstance(data, dict):
            return body
        sealed = await self.seal_data(event_type, data)
        if sealed is data:
            return body
        return json.dumps({**envelope, "data": sealed}, ensure_ascii=False, separators=(",", ":"))


def _sealed_values(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _sealed_values(item, found)
    elif isinstance(value, list):
        for item in value:
            _sealed_values(item, found)
    elif is_sealed(value):
        found.add(value)


def _replace(value: Any, opened: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _replace(v, opened) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, opened) for v in value]
    if isinstance(value, str) and value in opened:
        return opened[value]
    return value


class Opener:
    """Opens every sealed value of an event's data; one whose key is gone opens as `ERASED`.

    Raises `KeyStoreUnavailable` when the key store does not answer (the consumer retries)."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys

    async def open_data(self, data: Document) -> Document:
        found: set[str] = set()
        _sealed_values(data, found)
        if not found:
            return data
        keys: dict[str, bytes | None] = {}
        for kid in {kid_of(v) for v in found} - {None}:
            assert kid is not None
            keys[kid] = await self.keys.key(kid)
        opened: dict[str, str] = {}
        for value in found:
            kid = kid_of(value)
            opened[value] = open_sealed(value, keys.get(kid)) if kid else ERASED
        return dict(_replace(data, opened))

    async def open(self, envelope: Envelope) -> Envelope:
        data = await self.open_data(envelope.data)
        return envelope if data is envelope.data else envelope.model_copy(update={"data": data})
