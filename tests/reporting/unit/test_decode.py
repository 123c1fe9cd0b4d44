"""The replay's trusted reader (`koonto.reporting.decode`) reads every event as the validating tolerant reader
does, without validating; what it cannot read goes to the validating reader and fails as the live path fails."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from koonto.reporting import decode
from koonto.reporting.use_cases.projection import BY_TYPE
from koonto.shared.contracts import Envelope
from tests.reporting.history import history
from tests.reporting.synthetic import stream
from tests.support.samples import envelope, idea_submitted


def test_every_consumed_event_reads_as_the_validating_reader_reads_it() -> None:
    events = [*history(), *stream(400, seed=3, run="dec")]
    checked = 0
    for env in events:
        body = env.model_dump_json().encode()
        trusted = decode.envelope(body)
        assert trusted == Envelope.read_json(body)
        entry = BY_TYPE.get(env.type)
        if entry is None:
            assert decode.event_data(trusted) is None
            continue
        assert decode.event_data(trusted) == entry[0].read(env.data), env.type
        checked += 1
    assert checked > 300


def test_unknown_fields_are_ignored_at_every_depth() -> None:
    env = envelope(idea_submitted())
    raw = json.loads(env.model_dump_json())
    raw["later_field"] = 1
    raw["data"]["later_field"] = {"x": 1}
    raw["data"]["organisation"]["later_field"] = "y"
    trusted = decode.envelope(json.dumps(raw).encode())
    event = decode.event_data(trusted)
    assert event == decode.event_data(env) and event is not None
    assert "later_field" not in event.model_dump() and "later_field" not in event.model_dump()["organisation"]


@pytest.mark.parametrize("broken", ["no-organisation", "naive-time", "not-an-object"])
def test_what_cannot_be_read_without_validation_fails_as_the_live_reader_fails(broken: str) -> None:
    env = envelope(idea_submitted())
    raw = json.loads(env.model_dump_json())
    if broken == "no-organisation":
        del raw["data"]["organisation"]
    elif broken == "naive-time":
        raw["data"]["submitted_at"] = "2026-11-02T09:30:00"
    else:
        raw["data"]["organisation"] = "Yhdistys"
    trusted = decode.envelope(json.dumps(raw).encode())
    with pytest.raises(ValidationError):
        decode.event_data(trusted)
    with pytest.raises(ValueError):
        decode.envelope(b"{not json")
