"""Sealing and opening personal fields: per person, plain events still read, a destroyed key reads as erased."""

from __future__ import annotations

import json

import pytest

from koonto.shared.contracts import Envelope
from koonto.shared.contracts.intake import Attachment, IdeaSubmitted, RegistrationReceived
from koonto.shared.sealing import ERASED, Opener, Sealer, email_subject, idea_subject, is_sealed
from koonto.shared.sealing.cipher import new_key, open_sealed, seal
from tests.support.samples import envelope, idea_submitted

pytestmark = pytest.mark.unit


class MemoryKeys:
    """A key store in memory (the real one is the same two calls on the owner's database)."""

    def __init__(self) -> None:
        self.current: dict[str, str] = {}
        self.keys: dict[str, bytes] = {}

    async def key_for(self, subject: str) -> tuple[str, bytes]:
        if subject not in self.current or self.current[subject] not in self.keys:
            kid = f"k{len(self.keys) + 1}.1"
            self.current[subject], self.keys[kid] = kid, new_key()
        return self.current[subject], self.keys[self.current[subject]]

    async def key(self, kid: str) -> bytes | None:
        return self.keys.get(kid)

    def destroy(self, subject: str) -> None:
        self.keys.pop(self.current[subject], None)


def registration(email: str) -> RegistrationReceived:
    return RegistrationReceived.model_validate({
        "registration_id": "r1", "scheduled_event_id": "e1", "status": "confirmed",
        "received_at": "2026-12-04T09:00:00+00:00", "organisation_name": "Kyläyhdistys ry",
        "participant": {"name": "Maija Meikäläinen", "email": email, "phone": "+358401234567"},
    })


async def test_personal_fields_leave_sealed_and_open_again_for_a_consumer() -> None:
    keys = MemoryKeys()
    env = envelope(idea_submitted())
    body = await Sealer(keys).seal_body(env.type, env.model_dump_json())
    raw = json.loads(body)
    contact = raw["data"]["contact"]
    assert all(is_sealed(contact[f]) for f in ("name", "email", "phone"))
    assert env.data["contact"]["email"] not in body and env.data["contact"]["name"] not in body
    assert raw["data"]["organisation"] == env.data["organisation"] and raw["data"]["title"] == env.data["title"]
    # the sealed form still satisfies the contract as it is read
    assert IdeaSubmitted.read(raw["data"]).contact.email == contact["email"]
    opened = await Opener(keys).open(Envelope.read_json(body))
    assert IdeaSubmitted.read(opened.data) == IdeaSubmitted.read(env.data)
    assert keys.current.keys() == {idea_subject(env.data["idea_id"])}


async def test_attachment_names_leave_sealed_with_the_idea_and_read_as_erased_after_it() -> None:
    keys = MemoryKeys()
    files = [
        Attachment(attachment_id=f"a{i}", name=name, type="application/pdf", size=1000, sha256="0" * 64)
        for i, name in enumerate(("Matti_Virtanen_CV.pdf", "budjetti.pdf"))
    ]
    env = envelope(idea_submitted(attachments=tuple(files)))
    body = await Sealer(keys).seal_body(env.type, env.model_dump_json())
    assert "Matti_Virtanen" not in body and "budjetti" not in body
    sealed = json.loads(body)["data"]["attachments"]
    assert all(is_sealed(a["name"]) for a in sealed) and [a["size"] for a in sealed] == [1000, 1000]
    assert await Sealer(keys).seal_data(env.type, json.loads(body)["data"]) == json.loads(body)["data"]  # once
    opened = IdeaSubmitted.read((await Opener(keys).open(Envelope.read_json(body))).data)
    assert [a.name for a in opened.attachments] == ["Matti_Virtanen_CV.pdf", "budjetti.pdf"]
    keys.destroy(idea_subject(env.data["idea_id"]))
    erased = IdeaSubmitted.read((await Opener(keys).open(Envelope.read_json(body))).data)
    assert [a.name for a in erased.attachments] == [ERASED, ERASED]
    assert (await Sealer(keys).seal_data(env.type, {"idea_id": "i1", "attachments": None})) == {  # nothing to seal
        "idea_id": "i1", "attachments": None}


async def test_one_address_is_one_key_and_sealing_twice_changes_nothing() -> None:
    keys = MemoryKeys()
    sealer = Sealer(keys)
    plain = registration("maija@example.fi").model_dump(mode="json")
    first = await sealer.seal_data(RegistrationReceived.event_type(), plain)
    again = await sealer.seal_data(RegistrationReceived.event_type(), first)
    assert again == first
    assert list(keys.current) == [email_subject("Maija@Example.fi")]


async def test_an_old_plain_event_is_read_as_it_is() -> None:
    keys = MemoryKeys()
    env = envelope(idea_submitted())
    assert (await Opener(keys).open(env)).data == env.data
    assert keys.current == {}  # nothing asked of the key store


async def test_a_destroyed_or_unknown_key_opens_as_erased_and_the_contract_accepts_it() -> None:
    keys = MemoryKeys()
    env = envelope(idea_submitted())
    body = await Sealer(keys).seal_body(env.type, env.model_dump_json())
    keys.destroy(idea_subject(env.data["idea_id"]))
    opened = await Opener(keys).open(Envelope.read_json(body))
    event = IdeaSubmitted.read(opened.data)
    assert (event.contact.name, event.contact.email, event.contact.phone) == (ERASED, ERASED, ERASED)
    assert event.title == env.data["title"]
    stranger = seal("nobody.1", new_key(), "Pekka")
    assert (await Opener(keys).open_data({"x": [stranger]})) == {"x": [ERASED]}


def test_a_ciphertext_opens_only_with_its_own_key_and_key_id() -> None:
    key = new_key()
    sealed = seal("a.1", key, "maija@example.fi")
    assert open_sealed(sealed, key) == "maija@example.fi"
    assert open_sealed(sealed, new_key()) == ERASED
    assert open_sealed(sealed.replace("enc:v1:a.1:", "enc:v1:b.1:"), key) == ERASED  # the key id is bound in
    assert open_sealed(sealed[:-4] + "AAA=", key) == ERASED


async def test_the_key_store_creates_a_new_ideas_key_with_one_insert_and_a_new_generation_after_erasure() -> None:
    from koonto.shared.sealing.keys import SubjectKeys
    from tests.support.memory import memory_store

    collection = memory_store()["subject_keys"]
    calls: list[str] = []  # the store commands asked for (the in-memory store has no command listener)
    for name in ("find", "find_one", "insert_one"):
        method = getattr(collection, name)

        def counted(*args, _method=method, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(_name)
            return _method(*args, **kwargs)

        setattr(collection, name, counted)
    keys = SubjectKeys(collection, cache_seconds=0)
    await keys.pepper()
    calls.clear()
    subject = idea_subject("01a23b18-4748-724d-964b-6e6865801369")
    kid, key = await keys.key_for(subject)
    assert calls == ["insert_one"] and kid.endswith(".1")  # a new idea: its first key, one write
    assert await keys.key_for(subject) == (kid, key)  # known (cache off): the insert is refused, the key read
    assert await keys.key(kid) == key

    await keys.destroy([subject])
    assert await keys.key(kid) is None
    newer, newer_key = await keys.key_for(subject)
    assert newer.endswith(".2") and newer_key != key  # erased before: a new generation, the old stays unreadable
    assert await keys.key_for(email_subject("maija@example.fi")) != await keys.key_for(subject)
