"""The open data against real servers: events through real NATS into reporting, then the public CSV and JSON,
the suppression of small numbers, the data dictionary and the DCAT-AP metadata as JSON-LD, and the pages."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from rdflib import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD, Graph, Literal, URIRef

from koonto.reporting.main import create_runtime
from koonto.shared.contracts import Envelope
from koonto.shared.contracts.advisory import AttendanceRecorded, SessionLogged
from koonto.shared.contracts.intake import Organisation
from koonto.shared.runtime import Runtime
from tests.reporting.integration.test_reports import processed, publish, settings_for
from tests.support.polling import eventually
from tests.support.samples import envelope, idea_submitted
from tests.support.services import client, running

HEL = ZoneInfo("Europe/Helsinki")
# ideas per municipality and quarter of 2026, as a reader of the open data should find them (before suppression)
IDEAS = {("kuopio", 1): 7, ("siilinjarvi", 1): 6, ("kuopio", 2): 2, ("siilinjarvi", 2): 5, ("iisalmi", 2): 1}
QUARTER_DAY = {1: date(2026, 2, 10), 2: date(2026, 5, 12)}


def scripted_events() -> list[Envelope]:
    events = []
    for (municipality, quarter), count in IDEAS.items():
        day = QUARTER_DAY[quarter]
        for n in range(count):
            events.append(envelope(idea_submitted(
                idea_id=f"idea-{municipality}-{quarter}-{n}", reference=f"KOO-2026-{municipality}{quarter}{n}",
                submitted_at=datetime(day.year, day.month, day.day, 10, n, tzinfo=HEL).astimezone(UTC),
                organisation=Organisation(name=f"Yhdistys {municipality} {quarter} {n} ry",
                                          type="registered_association", municipality=municipality),
                themes=("wellbeing",),
            )))
    events.append(envelope(SessionLogged(
        session_id="s-1", case_id="case-iisalmi", idea_id="idea-iisalmi-2-0", kind="phone",
        started_at=datetime(2026, 5, 20, 9, tzinfo=UTC), duration_minutes=30, topics=("budjetti",),
        advisor_id="staff-1",
    )))
    held = [(date(2026, 3, 3), "varkaus", 3), (date(2026, 4, 7), None, 40)]
    for i, (held_on, municipality, total) in enumerate(held):
        events.append(envelope(AttendanceRecorded(
            scheduled_event_id=f"ev-{i}", kind="training", held_on=held_on, municipality=municipality,
            participants_total=total, women=total, men=0, other=0, not_told=0, organisations=(),
        )))
    return events


@pytest.fixture
async def service(clean_stream: str, mongo_url: str, db_names: dict[str, str]) -> AsyncIterator[Runtime]:
    settings = settings_for(clean_stream, mongo_url, db_names["reporting"])
    settings.public_base_url = "https://raportit.koonto.example"
    runtime = create_runtime(settings)
    events = scripted_events()
    async with running(runtime):
        await publish(runtime, events)
        await eventually(lambda: processed(runtime), until=lambda n: n == len(events), timeout=60,
                         what="every event processed")
        yield runtime


def csv_records(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark: Finnish Excel reads the umlauts
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def hidden_in_every_row_and_column(records: list[dict[str, Any]]) -> None:
    """Within each grid (indicator, year, theme): a row (municipality) or column (quarter) with a published total
    holds no hidden cell or at least two."""
    grids: dict[tuple[Any, ...], dict[tuple[Any, Any], dict[str, Any]]] = defaultdict(dict)
    for r in records:
        grids[(r["indicator"], r["year"], r["theme"])][(r["municipality"], r["quarter"])] = r
    for grid_key, cells in grids.items():
        if grid_key[0] == "events_held":
            continue  # not suppressed: public events
        municipalities = {m for m, _ in cells if m is not None}
        quarters = {q for _, q in cells if q is not None}
        lines = [((m, None), [(m, q) for q in quarters]) for m in [*municipalities, None]]
        lines += [((None, q), [(m, q) for m in municipalities]) for q in [*quarters, None]]
        for total, parts in lines:
            if cells[total]["suppressed"]:
                continue
            hidden = [k for k in parts if cells[k]["suppressed"]]
            assert len(hidden) != 1, (grid_key, total, hidden)


async def test_the_csv_and_json_publish_the_counts_with_small_ones_hidden_and_totals_protected(
    service: Runtime,
) -> None:
    async with client(service) as http:
        csv_response = await http.get("/api/v1/open-data/indicators.csv")  # no sign-in: public
        json_response = await http.get("/api/v1/open-data/indicators.json")
    for response in (csv_response, json_response):
        assert response.status_code == 200
        assert response.headers["link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
        assert response.headers["access-control-allow-origin"] == "*"
    assert csv_response.headers["content-type"].startswith("text/csv")
    rows = csv_records(csv_response.content)
    body = json_response.json()
    assert body["license"] == "https://creativecommons.org/licenses/by/4.0/" and body["license_id"] == "CC-BY-4.0"
    records = body["records"]
    assert len(rows) == len(records)

    ideas = {(r["municipality"], r["quarter"]): r for r in records
             if r["indicator"] == "ideas_received" and r["year"] == 2026}
    truth: dict[tuple[Any, Any], int] = defaultdict(int)
    for (municipality, quarter), count in IDEAS.items():
        for key in ((municipality, quarter), (municipality, None), (None, quarter), (None, None)):
            truth[key] += count
    for key, record in ideas.items():
        true_value = truth.get(key, 0)
        if record["suppressed"] is None:
            assert record["value"] == true_value, key  # what is published is the exact count
            assert not 0 < true_value < 5, key
        else:
            assert record["value"] is None
            assert record["suppressed"] == ("small" if true_value < 5 else "secondary"), key
    for small in (("kuopio", 2), ("iisalmi", 2), ("iisalmi", None)):
        assert ideas[small]["suppressed"] == "small"
    assert ideas[(None, None)]["value"] == 21 and ideas[(None, 1)]["value"] == 13  # the region's totals stand
    hidden_in_every_row_and_column(records)

    by_key = {(r["indicator"], r["year"], r["quarter"], r["municipality"], r["theme"]): r for r in records}
    # a training is a public event: its number is published; its three participants are not
    assert by_key[("events_held", 2026, 1, "varkaus", None)]["value"] == 1
    assert by_key[("event_participants", 2026, 1, "varkaus", None)]["suppressed"] == "small"
    # ... and then the region's 43 of the year would give the 3 away beside the region-wide forum's 40: the 40
    # is hidden too (secondary), and so is the region's Q2, which equals it
    assert by_key[("event_participants", 2026, None, None, None)]["value"] == 43
    assert by_key[("event_participants", 2026, 2, "region_wide", None)]["suppressed"] == "secondary"
    assert by_key[("event_participants", 2026, 2, None, None)]["suppressed"] == "secondary"
    assert by_key[("associations_advised", 2026, 2, "iisalmi", None)]["suppressed"] == "small"
    assert by_key[("ideas_received_by_theme", 2026, 1, "kuopio", "wellbeing")]["value"] in (7, None)

    # the CSV says the same as the JSON, row by row, in the same order, with the hidden figures as text
    marks = {"small": "< 5", "secondary": ".."}
    for row, record in zip(rows, records, strict=True):
        assert row["indicator"] == record["indicator"] and row["municipality"] == (record["municipality"] or "")
        assert row["quarter"] == ("" if record["quarter"] is None else str(record["quarter"]))
        expected = marks[record["suppressed"]] if record["suppressed"] else str(record["value"])
        assert row["value"] == expected and row["suppressed"] == (record["suppressed"] or "")
    assert {r["municipality_name"] for r in rows} >= {"Kuopio", "Siilinjärvi", "Pohjois-Savo"}


async def test_the_dictionary_describes_every_field_and_indicator_and_dcat_metadata_is_valid_json_ld(
    service: Runtime,
) -> None:
    async with client(service) as http:
        dictionary = (await http.get("/api/v1/open-data/dictionary.json")).json()
        records = (await http.get("/api/v1/open-data/indicators.json")).json()["records"]
        response = await http.get("/api/v1/open-data/catalog.jsonld")
    assert {f["name"] for f in dictionary["fields"]} == set(records[0])
    assert {i["id"] for i in dictionary["indicators"]} == {r["indicator"] for r in records}
    for entry in [*dictionary["fields"], *dictionary["indicators"]]:
        assert set(entry["meaning"]) == {"fi", "sv", "en"} and len(set(entry["meaning"].values())) == 3, entry
    assert {i["id"]: i["source_events"] for i in dictionary["indicators"]}["projects_funded"] == ["stage-changed"]

    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    graph = Graph().parse(data=response.text, format="json-ld")  # inline context: nothing fetched
    catalog, = graph.subjects(RDF.type, DCAT.Catalog)
    dataset, = graph.subjects(RDF.type, DCAT.Dataset)
    assert set(graph.objects(catalog, DCAT.dataset)) == {dataset}
    distributions = set(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) == 3 and distributions == set(graph.subjects(RDF.type, DCAT.Distribution))
    region = service.region
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == region.operators[0]
    assert graph.value(catalog, DCTERMS.publisher) == publisher
    temporal = graph.value(dataset, DCTERMS.temporal)
    assert graph.value(temporal, DCAT.startDate) == Literal("2026-01-01", datatype=XSD.date)
    assert graph.value(temporal, DCAT.endDate) is not None
    spatial = graph.value(dataset, DCTERMS.spatial)
    labels = {label.language: str(label) for label in graph.objects(spatial, SKOS.prefLabel)}
    assert labels == {"fi": region.name_fi, "sv": region.name_sv, "en": region.name_en}
    assert {title.language for title in graph.objects(dataset, DCTERMS.title)} == {"fi", "sv", "en"}
    assert graph.value(catalog, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(dataset, DCAT.contactPoint) is not None
    for distribution in distributions:
        assert graph.value(distribution, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
        assert graph.value(distribution, DCAT.mediaType) is not None
        url = str(graph.value(distribution, DCAT.downloadURL))
        assert url.startswith("https://raportit.koonto.example/api/v1/open-data/")
        async with client(service) as http:
            assert (await http.get(url.removeprefix("https://raportit.koonto.example"))).status_code == 200


async def test_the_open_data_page_and_the_dictionary_page_in_three_languages(service: Runtime) -> None:
    async with client(service) as http:
        pages = {lang: await http.get("/avoin-data", params={"lang": lang}) for lang in ("fi", "sv", "en")}
        dictionary = await http.get("/avoin-data/tietokuvaus", params={"lang": "en"})
        showcase = await http.get("/esittely", params={"lang": "fi"})
        bad = await http.get("/api/v1/open-data/indicators.csv", params={"dialect": "excel"})
    headings = {"fi": "<h1>Avoin data</h1>", "sv": "<h1>Öppna data</h1>", "en": "<h1>Open data</h1>"}
    for lang, page in pages.items():
        assert page.status_code == 200 and headings[lang] in page.text
        assert "https://creativecommons.org/licenses/by/4.0/" in page.text
        for link in ("indicators.csv", "indicators.json", "dictionary.json", "catalog.jsonld"):
            assert f"/api/v1/open-data/{link}" in page.text
        assert "<script" not in page.text
    assert "&lt; 5" in pages["fi"].text  # the region's small numbers shown as the files show them
    assert dictionary.status_code == 200 and "Open data dictionary" in dictionary.text
    for indicator in ("ideas_received", "associations_advised", "projects_funded", "event_participants"):
        assert f"<code>{indicator}</code>" in dictionary.text
    assert 'href="/avoin-data?lang=fi"' in showcase.text
    assert bad.status_code == 422 and "dialect" in bad.json()["detail"]


async def test_a_new_event_changes_the_open_data(service: Runtime) -> None:
    """The open data is read from the live read models: three more ideas in Iisalmi bring its year to 4, still
    hidden, and a fourth makes it 5, published."""
    async def iisalmi_year(http: httpx.AsyncClient) -> dict[str, Any]:
        records = (await http.get("/api/v1/open-data/indicators.json")).json()["records"]
        return next(r for r in records if r["indicator"] == "ideas_received" and r["year"] == 2026
                    and r["municipality"] == "iisalmi" and r["quarter"] is None)

    async with client(service) as http:
        assert (await iisalmi_year(http))["suppressed"] == "small"
        before = await processed(service)
        more = [envelope(idea_submitted(
            idea_id=f"idea-iisalmi-late-{n}", reference=f"KOO-2026-L{n}",
            submitted_at=datetime(2026, 8, 3, 10, n, tzinfo=UTC), themes=("youth",),
            organisation=Organisation(name=f"Iisalmen yhdistys {n} ry", type="registered_association",
                                      municipality="iisalmi"))) for n in range(4)]
        await publish(service, more)
        await eventually(lambda: processed(service), until=lambda n: n == before + 4, timeout=30,
                         what="the late ideas processed")
        record = await iisalmi_year(http)
        assert record["value"] == 5 and record["suppressed"] is None
