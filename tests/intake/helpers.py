"""Helpers for intake's tests: valid sample bodies, reading the KOONTO stream, publishing advisory events."""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urlencode

import nats
import nats.errors
import nats.js.api
import nats.js.errors

from koonto.shared.bus import STREAM_NAME
from koonto.shared.contracts import Envelope, EventData
from koonto.shared.sealing import Keys, Opener
from tests.support.samples import envelope


def idea_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organisation": {
            "name": "Kyläyhdistys Toivala ry", "type": "registered_association", "business_id": "1572860-0",
            "municipality": "siilinjarvi",
        },
        "contact": {"name": "Maija Meikäläinen", "email": "maija@example.fi", "phone": "040 123 4567",
                    "language": "fi", "channel": "email"},
        "title": "Kylätalon kohtaamispaikka",
        "description": "Avataan kylätalo kaikenikäisten kohtaamispaikaksi.",
        "themes": ["village", "inclusion"],
        "target_groups": ["ikäihmiset", "lapsiperheet"],
        "estimated_budget_eur": 25000,
        "schedule": "2027",
        "consents": {"privacy_notice": True, "publication": True},
    }
    for dotted, value in overrides.items():
        *parents, leaf = dotted.split("__")
        target = body
        for part in parents:
            target = target[part]
        if value is DELETE:
            target.pop(leaf, None)
        else:
            target[leaf] = copy.deepcopy(value)
    return body


DELETE = object()


def form_pairs(body: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """The same answers as an HTML form would send them."""
    out: list[tuple[str, str]] = []
    for key, value in body.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out += form_pairs(value, f"{name}.")
        elif isinstance(value, list):
            out += [(name, str(v)) for v in value]
        elif value is True:
            out.append((name, "yes"))
        elif value is False or value is None:
            continue
        else:
            out.append((name, str(value)))
    return out


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


async def stream_events(nats_url: str, subject: str = "koonto.>") -> list[Envelope]:
    """Every event in KOONTO on `subject`, read with an ordered (ephemeral) JetStream subscription."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        try:
            info = await js.stream_info(STREAM_NAME)
        except nats.js.errors.NotFoundError:
            return []
        if info.state.messages == 0:
            return []
        sub = await js.subscribe(subject, ordered_consumer=True, deliver_policy=nats.js.api.DeliverPolicy.ALL)
        out: list[Envelope] = []
        try:
            while True:
                try:
                    msg = await sub.next_msg(timeout=0.5)
                except (TimeoutError, nats.errors.TimeoutError):
                    break
                out.append(Envelope.model_validate_json(msg.data))
                if msg.metadata.num_pending == 0:
                    break
        finally:
            await sub.unsubscribe()
        return out
    finally:
        await nc.close()


KEY_STORES: list[Keys] = []  # the key stores of the intakes running in this test (integration/conftest.py)


class _RunningKeyStores:
    """Opens what the running intakes sealed, as another service would through intake's key store API."""

    async def key_for(self, subject: str) -> tuple[str, bytes]:
        raise AssertionError("a test reader never seals")

    async def key(self, kid: str) -> bytes | None:
        for keys in KEY_STORES:
            found = await keys.key(kid)
            if found is not None:
                return found
        return None


async def events_of(nats_url: str, model: type[EventData]) -> list[tuple[Envelope, Any]]:
    """Envelopes of one type, their personal fields opened as a consumer opens them, with their data validated
    against the contract model."""
    opener = Opener(_RunningKeyStores())
    opened = [await opener.open(e) for e in await stream_events(nats_url, model.event_type())]
    return [(e, model.model_validate(e.data)) for e in opened]


async def publish(
    nats_url: str, data: EventData, *, subject: str | None = None, region: str = "pohjois-savo"
) -> Envelope:
    """Publish an event as its producer would: to JetStream, with Nats-Msg-Id = envelope id."""
    env = envelope(data, subject=subject, region=region)
    nc = await nats.connect(nats_url)
    try:
        await nc.jetstream().publish(
            env.type, env.model_dump_json().encode(), stream=STREAM_NAME, headers={"Nats-Msg-Id": env.id}
        )
    finally:
        await nc.close()
    return env


async def post_form(http: Any, url: str, pairs: list[tuple[str, str]] | dict[str, str], **kw: Any) -> Any:
    """POST an urlencoded form the way a browser does (repeated names for checkboxes)."""
    items = list(pairs.items()) if isinstance(pairs, dict) else pairs
    headers = {"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})}
    return await http.post(url, content=urlencode(items).encode(), headers=headers, **kw)
