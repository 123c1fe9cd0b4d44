"""Reporting on a deployment of two regions, against real NATS and a real MongoDB-protocol server.

The scripted year of `tests.reporting.history` happens twice: once in Pohjois-Savo (the home region) and once, as
a twin with its own ids, in Pohjois-Karjala (its municipalities mapped to Pohjois-Karjala's). Each region's report
must be exactly the scripted figures (the twin's with the mapped municipality codes), whoever else writes beside
it; a funder of one region sees only it, in every format; a funder of both sees each and their sums; the public
showcase and open data of each host name show only their region; and a rebuild from the stream gives the same.
"""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import jwt
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from koonto.reporting.main import create_runtime
from koonto.reporting.replay import replay
from koonto.reporting.settings import ReportingSettings
from koonto.shared.contracts import Envelope, make_envelope
from koonto.shared.contracts.registry import REGISTRY
from koonto.shared.runtime import Runtime
from tests.reporting.history import PERIODS, actual, expected, history
from tests.support.polling import eventually
from tests.support.services import FAST_CONSUMER, client, running
from tests.support.staff import _KEY, AUDIENCE, ISSUER, KID, TEST_JWKS_JSON

HOME, KEHTO = "pohjois-savo", "pohjois-karjala"
KEHTO_HOST = "http://kehto.test"
HOME_HOST = "http://testserver"
# the scripted municipalities of Pohjois-Savo and their twins in Pohjois-Karjala
TWIN = {"kuopio": "joensuu", "iisalmi": "lieksa", "siilinjarvi": "kontiolahti", "tuusniemi": "outokumpu",
        "varkaus": "kitee"}
TWIN_SUFFIX = " (Kehto)"


def token(regions: dict[str, list[str]]) -> dict[str, str]:
    """A staff token holding `regions` ({region: roles}, the claim the staff service issues)."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": f"staff-{uuid.uuid4().hex[:8]}", "email": "rahoittaja@example.fi",
              "name": "Testi Rahoittaja", "roles": sorted({r for held in regions.values() for r in held}),
              "regions": regions, "iat": now, "exp": now + 3600, "jti": uuid.uuid4().hex}
    return {"Authorization": "Bearer " + jwt.encode(claims, _KEY, algorithm="EdDSA", headers={"kid": KID})}


FUNDER_HOME = token({HOME: ["funder"]})
FUNDER_KEHTO = token({KEHTO: ["funder"]})
FUNDER_BOTH = token({HOME: ["funder"], KEHTO: ["funder"]})


def _twin_value(key: str, value: Any) -> Any:
    if key in ("idea_id", "case_id") and isinstance(value, str):
        return value + "-kehto"
    if key == "municipality" and isinstance(value, str):
        return TWIN[value]
    if key == "title" and isinstance(value, str):
        return value + TWIN_SUFFIX
    if isinstance(value, dict):
        return {k: _twin_value(k, v) for k, v in value.items()}
    return value


def twin(env: Envelope) -> Envelope:
    """The same event in Pohjois-Karjala: its own event id, ids of its own case, the mapped municipality."""
    model = REGISTRY[env.type]
    data = model.model_validate({k: _twin_value(k, v) for k, v in env.data.items()})
    subject = _twin_value("idea_id", env.subject) if env.subject else str(uuid.uuid4())
    return make_envelope(data, subject=subject, region=KEHTO)


def twinned(figures: dict[str, Any]) -> dict[str, Any]:
    """The scripted figures with Pohjois-Karjala's municipality codes."""
    out = dict(figures)
    out["ideas_by_municipality"] = {TWIN.get(k, k): v for k, v in figures["ideas_by_municipality"].items()}
    out["municipalities_reached"] = sorted(TWIN.get(k, k) for k in figures["municipalities_reached"])
    return out


def settings_for(nats_url: str, mongo_url: str, db: str) -> ReportingSettings:
    return ReportingSettings(
        nats_url=nats_url, mongo_url=mongo_url, mongo_database=db, staff_jwks_url=TEST_JWKS_JSON,
        regions=[KEHTO], region_hosts={"kehto.test": KEHTO}, region_path_prefixes=True,
        **FAST_CONSUMER,  # type: ignore[arg-type]
    )


@pytest.fixture
async def two_regions(clean_stream: str, mongo_url: str, db_names: dict[str, str]) -> AsyncIterator[Runtime]:
    runtime = create_runtime(settings_for(clean_stream, mongo_url, db_names["reporting"]))
    home = history()
    events = [e for pair in zip(home, [twin(e) for e in home], strict=True) for e in pair]  # interleaved
    async with running(runtime):
        for env in events:
            await runtime.publisher(env.type, env.model_dump_json().encode(), env.id)

        async def processed() -> int:
            return await runtime.db["processed_events"].count_documents({})

        await eventually(processed, until=lambda n: n == len(events), timeout=90, what="every event processed")
        yield runtime


async def report(http: httpx.AsyncClient, headers: dict[str, str], fmt: str = "", *, host: str = HOME_HOST,
                 **params: Any) -> httpx.Response:
    return await http.get(f"{host}/api/v1/reports/summary{fmt}", params=params, headers=headers)


async def figures(http: httpx.AsyncClient, headers: dict[str, str], first: date, last: date,
                  municipality: str | None, **params: Any) -> dict[str, Any]:
    asked = {"from": first.isoformat(), "to": last.isoformat(), **params}
    if municipality:
        asked["municipality"] = municipality
    response = await report(http, headers, **asked)
    assert response.status_code == 200, response.text
    body = response.json()
    body.pop("generated_at")
    for part in body.get("by_region", {}).values():
        part.pop("generated_at")
    return body


async def test_each_region_reports_its_own_scripted_year_and_together_their_sums(two_regions: Runtime) -> None:
    async with client(two_regions) as http:
        for first, last, municipality in PERIODS:
            want = expected(first, last, municipality)
            home = await figures(http, FUNDER_BOTH, first, last, municipality, region=HOME)
            assert home["regions"] == [HOME] and actual(home) == want, (first, last, municipality)
            kehto = await figures(http, FUNDER_BOTH, first, last, municipality and TWIN[municipality], region=KEHTO)
            assert kehto["regions"] == [KEHTO] and actual(kehto) == twinned(want), (first, last, municipality)
        year = (date(2026, 1, 1), date(2026, 12, 31))
        home = await figures(http, FUNDER_BOTH, *year, None, region=HOME)
        kehto = await figures(http, FUNDER_BOTH, *year, None, region=KEHTO)
        both = await figures(http, FUNDER_BOTH, *year, None, region="all")
        assert both["regions"] == [HOME, KEHTO]
        assert both["ideas"]["total"] == home["ideas"]["total"] + kehto["ideas"]["total"] == 14
        assert both["ideas"]["by_municipality"] == {**home["ideas"]["by_municipality"],
                                                    **kehto["ideas"]["by_municipality"]}
        for figure in ("associations_advised",):
            assert both[figure] == home[figure] + kehto[figure]
        assert both["sessions"]["total"] == home["sessions"]["total"] * 2
        assert both["events"]["participants"] == home["events"]["participants"] * 2
        assert both["decisions"]["eur_granted"] == home["decisions"]["eur_granted"] * 2
        assert {c: v["sent"] for c, v in both["notifications"]["by_channel"].items()} == {
            c: v["sent"] * 2 for c, v in home["notifications"]["by_channel"].items()}
        assert both["municipalities_reached"]["codes"] == sorted(
            home["municipalities_reached"]["codes"] + kehto["municipalities_reached"]["codes"])
        assert both["by_region"] == {HOME: home, KEHTO: kehto}
        assert both == await figures(http, FUNDER_BOTH, *year, None, region=[HOME, KEHTO])
        assert both == await figures(http, FUNDER_BOTH, *year, None, region=f"{KEHTO},{HOME}")

        # a rebuild from the stream gives every region the same figures
        result = await replay(two_regions.settings, show_progress=False)  # type: ignore[arg-type]
        assert result.unresolved == 0
        assert await figures(http, FUNDER_BOTH, *year, None, region="all") == both
        assert await figures(http, FUNDER_BOTH, *year, None, region=KEHTO) == kehto


async def test_a_funder_of_one_region_sees_only_it_in_every_format(two_regions: Runtime) -> None:
    year = {"from": "2026-01-01", "to": "2026-12-31"}
    async with client(two_regions) as http:
        mine = await report(http, FUNDER_KEHTO, **year)  # no region asked: the account's one region
        assert mine.status_code == 200 and mine.json()["regions"] == [KEHTO]
        assert set(mine.json()["ideas"]["by_municipality"]) <= set(TWIN.values())
        assert (await report(http, FUNDER_KEHTO, region="all", **year)).json()["regions"] == [KEHTO]

        refused = await report(http, FUNDER_KEHTO, region=HOME, **year)
        assert refused.status_code == 403 and HOME in refused.json()["detail"]
        assert "oikeutta" in refused.json()["detail"]
        swedish = await report(http, {**FUNDER_KEHTO, "Accept-Language": "sv"}, ".csv", region=HOME, **year)
        assert swedish.status_code == 403 and "behörighet" in swedish.json()["detail"]
        unknown = await report(http, FUNDER_KEHTO, ".xlsx", region="lappi", **year)
        assert unknown.status_code == 404 and "lappi" not in (unknown.json()["detail"].split(":")[0])
        assert (await report(http, FUNDER_KEHTO, municipality="kuopio", **year)).status_code == 422
        assert (await report(http, FUNDER_HOME, region=KEHTO, **year)).status_code == 403

        csv_body = (await report(http, FUNDER_KEHTO, ".csv", **year)).content.decode("utf-8-sig")
        xlsx = load_workbook(io.BytesIO((await report(http, FUNDER_KEHTO, ".xlsx", **year)).content))
        xlsx_text = " ".join(str(c.value) for ws in xlsx.worksheets for row in ws.iter_rows() for c in row if c.value)
        pdf = PdfReader(io.BytesIO((await report(http, FUNDER_KEHTO, ".pdf", **year)).content))
        pdf_text = " ".join(page.extract_text() for page in pdf.pages)
        for text in (csv_body, xlsx_text, pdf_text):
            assert "Joensuu" in text and "Kuopio" not in text and "Varkaus" not in text
        rows = list(csv.reader(io.StringIO(csv_body), delimiter=";"))
        ideas = next(i for i, row in enumerate(rows) if row and row[0].startswith("#") and "Ideat kunnittain" in row[0])
        assert ["Joensuu", "3"] in rows[ideas:ideas + 12]  # Kuopio's three ideas, in its twin


async def test_the_files_of_a_funder_of_both_regions_have_a_region_column_and_a_section_per_region(
    two_regions: Runtime,
) -> None:
    year = {"from": "2026-01-01", "to": "2026-12-31", "region": "all"}
    async with client(two_regions) as http:
        response = await report(http, FUNDER_BOTH, ".csv", **year)
        assert response.status_code == 200
        assert "koonto-raportti-pohjois-savo+pohjois-karjala-2026" in response.headers["content-disposition"]
        # as a Finnish office user opens it: ';', decimal comma, a block per table with the region first
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        start = next(i for i, row in enumerate(rows) if row == ["# Ideat kunnittain"])
        assert rows[start + 1] == ["Alue", "Kunta", "Ideoita"]
        block = rows[start + 2:rows.index([], start)]
        assert ["Pohjois-Savo", "Kuopio", "3"] in block and ["Pohjois-Karjala", "Joensuu", "3"] in block
        assert ["Yhteensä", "Kuopio", "3"] in block and ["Yhteensä", "Joensuu", "3"] in block
        key = next(i for i, row in enumerate(rows) if row and row[0] == "# Yhteenveto")
        hours = [row for row in rows[key:rows.index([], key)] if len(row) == 3 and row[1] == "Neuvontatunteja"]
        assert {row[0] for row in hours} == {"Pohjois-Savo", "Pohjois-Karjala", "Yhteensä"}
        assert all("," in row[2] or row[2].isdigit() for row in hours) and not any("." in row[2] for row in hours)
        by_region = {row[0]: float(row[2].replace(",", ".")) for row in hours}
        # 500 minutes in each region: 8,3 hours each, and the sum of the minutes (not of the rounded hours) 16,7
        assert by_region == {"Pohjois-Savo": 8.3, "Pohjois-Karjala": 8.3, "Yhteensä": 16.7}

        xlsx = load_workbook(io.BytesIO((await report(http, FUNDER_BOTH, ".xlsx", **year)).content))
        sheet = next(ws for ws in xlsx.worksheets if ws.title.startswith("Ideat kunnittain"))
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert ["Pohjois-Karjala", "Joensuu", 3] in [v[:3] for v in values]
        pdf = PdfReader(io.BytesIO((await report(http, FUNDER_BOTH, ".pdf", **year)).content))
        text = " ".join(page.extract_text() for page in pdf.pages)
        for part in ("Pohjois-Savo", "Pohjois-Karjala", "Yhteensä"):
            assert f"{part}: Ideat kunnittain" in text


async def test_the_public_pages_of_each_host_show_only_their_region(two_regions: Runtime) -> None:
    async with client(two_regions) as http:
        kehto = (await http.get(f"{KEHTO_HOST}/esittely")).text
        home = (await http.get(f"{HOME_HOST}/esittely")).text
        assert TWIN_SUFFIX in kehto and "Joensuu" in kehto and "Kuopio" not in kehto
        assert TWIN_SUFFIX not in home and "Kuopio" in home and "Joensuu" not in home

        kehto_csv = (await http.get(f"{KEHTO_HOST}/api/v1/open-data/indicators.csv")).content.decode("utf-8-sig")
        home_csv = (await http.get(f"{HOME_HOST}/api/v1/open-data/indicators.csv")).content.decode("utf-8-sig")
        kehto_rows = list(csv.DictReader(io.StringIO(kehto_csv), delimiter=";"))
        home_rows = list(csv.DictReader(io.StringIO(home_csv), delimiter=";"))
        assert {r["region"] for r in kehto_rows} == {KEHTO} and {r["region"] for r in home_rows} == {HOME}
        regions = two_regions.regions
        kehto_places = set(regions.by_code[KEHTO].municipality_codes) | {"", "other", "region_wide"}
        home_places = set(regions.home.municipality_codes) | {"", "other", "region_wide"}
        assert {r["municipality"] for r in kehto_rows} <= kehto_places
        assert {r["municipality"] for r in home_rows} <= home_places
        # the same script in both regions: the same published figures (and suppression), municipality for
        # municipality, where the script happened (every other municipality of each region is a published zero)
        back = {v: k for k, v in TWIN.items()}
        scripted = set(TWIN) | {"", "other", "region_wide"}

        def published(rows: list[dict[str, str]], rename: dict[str, str]) -> list[tuple[str, ...]]:
            out = [(r["year"], r["quarter"], r["indicator"], r["theme"], r["value"], r["suppressed"],
                    rename.get(r["municipality"], r["municipality"])) for r in rows]
            return sorted(row for row in out if row[-1] in scripted)

        assert published(kehto_rows, back) == published(home_rows, {})
        assert any(r["municipality"] == "joensuu" and r["value"] not in ("", "0") for r in kehto_rows)

        catalog = json.loads((await http.get(f"{KEHTO_HOST}/api/v1/open-data/catalog.jsonld")).text)
        assert "Pohjois-Karjala" in json.dumps(catalog, ensure_ascii=False)
        assert "Pohjois-Savo" not in json.dumps(catalog, ensure_ascii=False)


def cookie(headers: dict[str, str]) -> dict[str, str]:
    """The dashboard's sign-in: the same token as the staff cookie."""
    return {"Cookie": "koonto_staff=" + headers["Authorization"].removeprefix("Bearer ")}


async def test_the_dashboard_of_a_funder_of_both_regions_shows_them_side_by_side(two_regions: Runtime) -> None:
    year = {"from": "2026-01-01", "to": "2026-12-31"}
    async with client(two_regions) as http:
        both = await http.get("/raportit", params={**year, "region": "all"}, headers=cookie(FUNDER_BOTH))
        assert both.status_code == 200, both.text
        page = both.text
        assert 'name="region"' in page and "Tunnusluvut alueittain" in page
        side = page.split('id="h-regions"', 1)[1].split("</section>", 1)[0]
        assert "Pohjois-Savo" in side and "Pohjois-Karjala" in side and "Yhteensä" in side
        # the ideas row: 7 in each region, 14 together
        ideas_row = next(row for row in side.split("<tr>") if "Ideoita" in row or "ideoita" in row)
        assert [cell.split(">")[-1] for cell in ideas_row.split("</td>")[:-1]] == ["7", "7", "14"]
        assert "region=all" in page.split("summary.xlsx?", 1)[1].split('"', 1)[0]
        assert "Joensuu" in page and "Kuopio" in page

        one = await http.get("/raportit", params={**year, "region": KEHTO}, headers=cookie(FUNDER_BOTH))
        assert one.status_code == 200 and "Joensuu" in one.text and "Kuopio" not in one.text
        assert "Tunnusluvut alueittain" not in one.text

        mine = await http.get("/raportit", params=year, headers=cookie(FUNDER_KEHTO))
        assert mine.status_code == 200 and 'name="region"' not in mine.text  # one region: no choice to make
        assert "Joensuu" in mine.text and "Kuopio" not in mine.text
        refused = await http.get("/raportit", params={**year, "region": HOME, "lang": "en"},
                                 headers=cookie(FUNDER_KEHTO))
        assert refused.status_code == 403 and "no access to the reports of the region pohjois-savo" in refused.text
        assert "Kuopio" not in refused.text


async def test_with_path_prefixes_the_region_follows_the_prefix_and_the_links_keep_it(two_regions: Runtime) -> None:
    async with client(two_regions) as http:
        page = (await http.get(f"/{KEHTO}/esittely")).text
        assert TWIN_SUFFIX in page and "Kuopio" not in page
        assert f'action="/{KEHTO}/esittely"' in page and f'href="/{KEHTO}/avoin-data?lang=fi"' in page
        opendata = (await http.get(f"/{KEHTO}/avoin-data")).text
        assert f'href="/{KEHTO}/api/v1/open-data/indicators.csv"' in opendata
        rows = list(csv.DictReader(io.StringIO((await http.get(f"/{KEHTO}/api/v1/open-data/indicators.csv"))
                                               .content.decode("utf-8-sig")), delimiter=";"))
        assert {r["region"] for r in rows} == {KEHTO}
        catalog = (await http.get(f"/{KEHTO}/api/v1/open-data/catalog.jsonld")).text
        assert f"/{KEHTO}/api/v1/open-data/indicators.csv" in catalog
        redirect = await http.get(f"/{KEHTO}/")
        assert redirect.status_code == 303 and redirect.headers["location"] == f"/{KEHTO}/esittely"
        dashboard = await http.get(f"/{KEHTO}/raportit", headers=cookie(FUNDER_BOTH))
        assert dashboard.status_code == 200 and f'action="/{KEHTO}/raportit"' in dashboard.text
        assert f'href="/{KEHTO}/api/v1/reports/summary.csv?' in dashboard.text and "Joensuu" in dashboard.text
