"""Reports "as of" a past day against real NATS and a real MongoDB-protocol server: a report produced at the end
of a day, late events recorded after it (carrying earlier business dates), and the old report reproduced exactly.

The stream stamps its messages with the real time, so the test names the instant its days end (`day_end`): "30.9."
ends right after the scripted year was consumed, "31.10." after the late events.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from koonto.reporting.bootstrap import bootstrap
from koonto.reporting.jobs import checkpoint_tick
from koonto.reporting.main import create_runtime
from koonto.reporting.replay import replay
from koonto.reporting.store import CHECKPOINT_PREFIX, CHECKPOINTS
from koonto.shared.clock import utcnow
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.advisory import SessionLogged
from koonto.shared.mongo import Leases
from koonto.shared.runtime import Runtime
from tests.reporting.history import actual, history
from tests.reporting.integration.test_reports import FUNDER, processed, publish, settings_for
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted
from tests.support.services import client, running

SEPTEMBER, OCTOBER, AUGUST = date(2026, 9, 30), date(2026, 10, 31), date(2026, 8, 31)
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}
FILES = ("csv", "xlsx", "pdf")


def late_events() -> list[Envelope]:
    """Recorded in November, about March: a correction that changes the current report of the year."""
    idea = idea_submitted(submitted_at="2026-03-10T09:00:00+00:00",
                          organisation={"name": "Myöhäinen yhdistys ry", "type": "registered_association",
                                        "municipality": "kuopio"})
    session = example_session(idea.idea_id)
    return [envelope(idea), envelope(session)]


def example_session(idea_id: str) -> SessionLogged:
    return SessionLogged(
        session_id="late-session-1", case_id=f"case-{idea_id}", idea_id=idea_id, kind="meeting",
        started_at=datetime.fromisoformat("2026-03-12T10:00:00+00:00"), duration_minutes=90, topics=("budjetti",),
        advisor_id="advisor-late",
    )


def numbers(summary: dict[str, Any]) -> dict[str, Any]:
    return dict(actual(summary))


async def files(http: httpx.AsyncClient, **query: str) -> dict[str, httpx.Response]:
    out = {}
    for fmt in FILES:
        response = await http.get(f"/api/v1/reports/summary.{fmt}", params={**YEAR, **query}, headers=FUNDER)
        assert response.status_code == 200, response.text
        out[fmt] = response
    return out


async def report(http: httpx.AsyncClient, **query: str) -> dict[str, Any]:
    response = await http.get("/api/v1/reports/summary", params={**YEAR, **query}, headers=FUNDER)
    assert response.status_code == 200, response.text
    return dict(response.json())


def cells(content: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content))
    return [list(sheet.values) for sheet in book.worksheets]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
async def service(clean_stream: str, mongo_url: str, db_names: dict[str, str]) -> AsyncIterator[
        tuple[Runtime, dict[date, datetime], list[Envelope]]]:
    ends: dict[date, datetime] = {}
    runtime = create_runtime(settings_for(clean_stream, mongo_url, db_names["reporting"]), day_end=lambda d: ends[d])
    events = history()
    async with running(runtime):
        await publish(runtime, events)
        await eventually(lambda: processed(runtime), until=lambda n: n == len(events), timeout=60,
                         what="every event processed")
        yield runtime, ends, events


async def test_an_as_of_report_is_reproduced_exactly_after_late_events(
    service: tuple[Runtime, dict[date, datetime], list[Envelope]],
) -> None:
    runtime, ends, events = service
    ends[SEPTEMBER] = ends[AUGUST] = utcnow()  # everything so far was recorded by the end of "30.9."
    late = late_events()
    async with client(runtime) as http:
        sent = await report(http)  # the report the funder got on 30.9.
        at_the_time = await files(http, as_of=SEPTEMBER.isoformat())
        as_of_then = await report(http, as_of=SEPTEMBER.isoformat())
        assert numbers(as_of_then) == numbers(sent)
        assert as_of_then["as_of"] == {"day": "2026-09-30", "moment": ends[SEPTEMBER].isoformat(),
                                       "stream_sequence": len(events)}

        await publish(runtime, late)
        await eventually(lambda: processed(runtime), until=lambda n: n == len(events) + len(late), timeout=60,
                         what="the late events processed")
        current = await report(http)
        assert current["ideas"]["total"] == sent["ideas"]["total"] + 1  # the current report changes ...
        assert current["sessions"]["total"] == sent["sessions"]["total"] + 1
        reproduced = await files(http, as_of=SEPTEMBER.isoformat())
        # ... the as-of report does not: the same bytes in every format, the same numbers as sent
        for fmt in FILES:
            assert reproduced[fmt].content == at_the_time[fmt].content, fmt
        assert numbers(await report(http, as_of=SEPTEMBER.isoformat())) == numbers(sent)
        csv_text = reproduced["csv"].content.decode("utf-8-sig")
        assert "Tilanne;30.9.2026 lopussa" in csv_text and f"Tapahtumavirran kohta;{len(events)}" in csv_text
        assert f"Ideoita vastaanotettu;{sent['ideas']['total']}\r\n" in csv_text
        assert reproduced["csv"].headers["x-koonto-stream-sequence"] == str(len(events))
        assert "tilanne-2026-09-30" in reproduced["xlsx"].headers["content-disposition"]
        assert cells(reproduced["xlsx"].content) == cells(at_the_time["xlsx"].content)
        assert "30.9.2026 lopussa" in pdf_text(reproduced["pdf"].content)

        # a day with nothing recorded after the previous checkpoint shares its generation
        august = await http.get("/api/v1/reports/summary.csv", params={**YEAR, "as_of": "2026-08-31"},
                                headers=FUNDER)
        assert august.headers["x-koonto-generation"] == reproduced["csv"].headers["x-koonto-generation"]

        # a later day: the September checkpoint plus the events after it, equal to the current report
        ends[OCTOBER] = utcnow()
        october = await report(http, as_of=OCTOBER.isoformat())
        assert numbers(october) == numbers(current)
        assert october["as_of"]["stream_sequence"] == len(events) + len(late)

        # the September checkpoint forgotten: built again from the stream, the very same bytes
        await runtime.db[CHECKPOINTS].delete_many({"_id": "2026-09-30"})
        rebuilt = await files(http, as_of=SEPTEMBER.isoformat())
        for fmt in FILES:
            assert rebuilt[fmt].content == at_the_time[fmt].content, fmt

        # a rebuild of the read models keeps the checkpoints
        await replay(runtime.settings, show_progress=False)  # type: ignore[arg-type]
        assert [n for n in await runtime.db.list_collection_names() if n.startswith(f"rm_{CHECKPOINT_PREFIX}")]
        after_replay = await files(http, as_of=SEPTEMBER.isoformat())
        assert after_replay["csv"].content == at_the_time["csv"].content
        assert numbers(await report(http)) == numbers(current)


async def test_a_day_not_yet_ended_or_not_a_date_is_refused_in_the_readers_language(
    service: tuple[Runtime, dict[date, datetime], list[Envelope]],
) -> None:
    runtime, _, _ = service
    async with client(runtime) as http:
        for raw in ("2999-01-01", "30.9.2026", "yesterday"):
            response = await http.get("/api/v1/reports/summary.csv", params={"as_of": raw}, headers=FUNDER)
            assert response.status_code == 422 and response.json()["errors"][0]["field"] == "as_of", raw
        future = await http.get("/api/v1/reports/summary", params={"as_of": "2999-01-01"}, headers=FUNDER)
        assert "ei ole vielä päättynyt" in future.json()["detail"]
        pages = {lang: await http.get("/raportit", params={"as_of": "2999-01-01", "lang": lang}, headers=FUNDER)
                 for lang in ("fi", "sv", "en")}
        garbage = await http.get("/raportit", params={"as_of": "eilen", "lang": "en"}, headers=FUNDER)
    assert all(page.status_code == 422 for page in pages.values())
    assert "Tilannepäivä ei ole vielä päättynyt" in pages["fi"].text
    assert "har inte tagit slut" in pages["sv"].text
    assert "has not ended yet" in pages["en"].text
    assert garbage.status_code == 422 and "is not a date" in garbage.text


async def test_the_dashboard_as_of_a_day_shows_the_banner_and_links_the_as_of_files(
    service: tuple[Runtime, dict[date, datetime], list[Envelope]],
) -> None:
    runtime, ends, events = service
    ends[SEPTEMBER] = utcnow()
    async with client(runtime) as http:
        pages = {lang: await http.get("/raportit", params={"as_of": "2026-09-30", "lang": lang}, headers=FUNDER)
                 for lang in ("fi", "sv", "en")}
    fi = pages["fi"].text
    assert pages["fi"].status_code == 200
    assert "Tilanne 30.9.2026 lopussa" in fi and f"tapahtumavirran kohta {len(events)}" in fi
    assert "summary.xlsx?from=2026-01-01&amp;to=2026-12-31&amp;as_of=2026-09-30" in fi
    assert 'value="2026-09-30"' in fi
    assert "Läget i slutet av 30.9.2026" in pages["sv"].text
    assert "Figures as at the end of 30.9.2026" in pages["en"].text


async def test_the_job_builds_yesterdays_checkpoint_once_on_two_replicas_and_it_equals_one_built_on_request(
    service: tuple[Runtime, dict[date, datetime], list[Envelope]],
) -> None:
    """Two replicas' checkpoint jobs at the same moment, the day after 30.9.: the one holding the lease builds
    the checkpoint, the other does nothing, a later pass finds it built; the as-of report read from it is the
    one a request builds when no checkpoint exists (the same bytes)."""
    runtime, ends, events = service
    ends[SEPTEMBER] = utcnow()
    settings = runtime.settings.model_copy(update={"checkpoint_days_back": 1})  # type: ignore[attr-defined]
    day_end = runtime.container.as_of.day_end  # type: ignore[attr-defined]
    first = bootstrap(runtime.infra, settings, day_end=day_end)
    second = bootstrap(replace(runtime.infra, leases=Leases(runtime.db["leases"], "replica-2")), settings,
                       day_end=day_end)
    october_first = date(2026, 10, 1)
    built = await asyncio.gather(*(checkpoint_tick(deps, deps.infra.leases, today=october_first)
                                   for deps in (first, second)))
    assert sorted(built, key=len) == [[], [SEPTEMBER]]
    assert await checkpoint_tick(first, first.infra.leases, today=october_first) == []  # built already
    registry = [d async for d in runtime.db[CHECKPOINTS].find({})]
    assert [d["_id"] for d in registry] == ["2026-09-30"] and registry[0]["sequence"] == len(events)
    generations = {n.split("_")[1] for n in await runtime.db.list_collection_names()
                   if n.startswith(f"rm_{CHECKPOINT_PREFIX}")}
    assert generations == {registry[0]["generation"]}  # one build: no second copy made and dropped

    async with client(runtime) as http:
        ahead = await files(http, as_of=SEPTEMBER.isoformat())
        assert ahead["csv"].headers["x-koonto-generation"] == registry[0]["generation"]
        await runtime.db[CHECKPOINTS].delete_many({})
        on_request = await files(http, as_of=SEPTEMBER.isoformat())
    assert on_request["csv"].headers["x-koonto-generation"] != registry[0]["generation"]
    for fmt in FILES:
        assert on_request[fmt].content == ahead[fmt].content, fmt
