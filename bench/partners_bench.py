"""Partner suggestions at scale: `python -m bench.partners_bench [--cases 10000] [--store nx-27017|ferretdb]`.

Writes `--cases` partner profiles (synthetic Finnish ideas, seed 42: three of 29 common topics in inflected forms,
five of 1,600 compound words for the long tail of a real vocabulary, filler words; themes, target groups and
municipalities drawn at random) into a real store, then times on the same server:

- the raw primitive: reading the same profile documents with a plain `find()` (PyMongo, no decoding);
- Koonto's first load: `Partners.sync()` on an empty index (reads them and builds the index);
- Koonto's case page: `Partners.suggestions(case)` for cases drawn at random, the index warm (each call also
  asks the store for the profiles changed since the last one, as every page view does).

Each figure is printed as a ratio to the raw read. `bench/run.py` adds the same row to the system benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from koonto.advisory.domain.clock import FixedClock
from koonto.advisory.domain.partners.profiles import profile_of, to_document
from koonto.advisory.domain.schedule import ServiceLevel
from koonto.advisory.settings import AdvisorySettings
from koonto.advisory.store import PARTNER_CHANGES, PARTNER_PROFILES, PARTNER_REVISION, AdvisoryStore
from koonto.advisory.use_cases.common import Context
from koonto.advisory.use_cases.partners import Partners
from koonto.shared.mongo import Document, Store, epoch_ms, make_client
from koonto.shared.region import Region, load_region
from tests.support.servers import mongo_server, temp_base

WORDS = [
    "kylätalo kylätalon kylätaloa kylätalossa kylätaloon", "esteettömyys esteettömyyden esteetöntä",
    "ikäihmiset ikäihmisten ikäihmisille", "nuoret nuorten nuorille", "lapsiperheet lapsiperheiden",
    "liikunta liikunnan liikuntaa", "kerho kerhon kerhoja kerhossa", "talkoot talkoissa talkootyö",
    "kulttuuri kulttuurin kulttuuria", "luonto luonnon luontoon luontopolku", "retki retken retkiä",
    "kahvila kahvilan kahvilassa", "kirjasto kirjaston kirjastossa", "puutarha puutarhan puutarhassa",
    "yksinäisyys yksinäisyyden yksinäisiä", "maahanmuuttajat maahanmuuttajien", "työllisyys työllisyyttä",
    "koulutus koulutuksen koulutusta", "tapahtuma tapahtuman tapahtumia", "teatteri teatterin teatteria",
    "musiikki musiikin musiikkia", "kuntosali kuntosalin kuntosalilla", "uimaranta uimarannan",
    "remontti remontin remonttia", "luiska luiskan luiskia", "digituki digituen digitaitoja",
    "ruoka ruoan ruokaa ruokapiiri", "vertaistuki vertaistuen vertaistukea", "kesäleiri kesäleirin",
]
# the long tail of a real region's vocabulary: compounds of these (kyläkahvila, nuorisoretki, ...), 1,600 words
PREFIXES = """kylä nuoriso senioi perhe luonto kulttuuri liikunta musiikki teatteri ruoka puutarha kirja taide
    käsityö digi vertais retki leiri metsä järvi kala marja sieni pyörä hiihto uinti tanssi laulu kuoro elokuva
    valokuva historia perinne kieli peli koira hevonen mehiläis kierrätys energia""".split()
SUFFIXES = """talo kerho piiri ilta päivä leiri retki kurssi paja tupa kahvila kirjasto näyttely konsertti
    festivaali ryhmä verkosto polku rata kenttä halli sauna laituri puisto tori kioski keskus toimisto opas
    kouluttaja ohjaaja vapaaehtoinen tuki hanke suunnitelma selvitys kartoitus kokeilu""".split()
FILLER = "haluamme järjestää yhdessä kylän asukkaiden kanssa uuden toiminnan joka jatkuu koko vuoden".split()
GROUPS = ["ikäihmiset", "nuoret", "lapsiperheet", "työttömät", "maahanmuuttajat", "kyläläiset", "vammaiset"]


def synthetic_cases(count: int, region: Region, seed: int = 42) -> list[Document]:
    rng = random.Random(seed)
    themes, municipalities = region.theme_codes, region.municipality_codes
    cases = []
    for i in range(count):
        topics = rng.sample(WORDS, 3)
        words = [rng.choice(t.split()) for t in topics for _ in range(2)] + rng.sample(FILLER, 6)
        words += [rng.choice(PREFIXES) + rng.choice(SUFFIXES) for _ in range(5)]
        rng.shuffle(words)
        cases.append({
            "_id": f"case-bench-{i}", "reference": f"KOO-2026-{i:05d}", "title": " ".join(words[:3]).capitalize(),
            "description": " ".join(words).capitalize() + ".", "partner_consent": True, "contact_erased": False,
            "organisation": {"name": f"Yhdistys {i} ry", "municipality": rng.choice(municipalities)},
            "themes": rng.sample(themes, rng.randint(1, 3)), "target_groups": rng.sample(GROUPS, rng.randint(0, 2)),
            "contact": {"language": "fi"},
        })
    return cases


class _Events:
    def __init__(self, region: Region) -> None:
        self.region = region

    def new_event(self, data: Any, *, subject: str, correlation_id: str | None = None) -> Any:
        raise NotImplementedError("the benchmark causes no events")

    def events_written(self, *envelopes: Any) -> None:
        raise NotImplementedError("the benchmark causes no events")


def partners_on(store: Store, region: Region) -> Partners:
    settings = AdvisorySettings(mode="test", service_name="advisory", log_json=False, data_dir=Path(temp_base("pb")))
    return Partners(Context(settings=settings, events=_Events(region), store=AdvisoryStore(store),
                            clock=FixedClock(), service_level=ServiceLevel(3)))


Row = tuple[str, str, str, str]


async def figure(mongo_url: str, cases: int, database: str = "partners_bench", queries: int = 50) -> Row:
    """The benchmark row: (figure, Koonto, raw primitive, ratio)."""
    region = load_region("pohjois-savo")
    client = make_client(mongo_url)
    try:
        store = Store(client[database])
        collection = store[PARTNER_PROFILES]
        await collection.raw.drop()
        await store[PARTNER_REVISION].raw.drop()
        await store[PARTNER_CHANGES].raw.drop()
        docs = synthetic_cases(cases, region)
        # written ten minutes ago: a page's catch-up query then finds nothing new, as it will long after an
        # import (within `LOOKBACK_MS` of a write, each page reads the profiles written in that minute again)
        now = epoch_ms() - 600_000
        profiles = []
        for case in docs:
            profile = profile_of(case, region)
            assert profile is not None  # every synthetic case consents
            profiles.append({"_id": case["_id"], "listed": True, "updated_ms": now, **to_document(profile)})
        for start in range(0, len(profiles), 1000):
            await collection.insert_many(profiles[start:start + 1000])

        raw_reads = []
        for _ in range(3):
            started = time.perf_counter()
            read = [d async for d in collection.raw.find({"listed": True})]
            raw_reads.append(time.perf_counter() - started)
        assert len(read) == cases
        raw_read = statistics.median(raw_reads)

        partners = partners_on(store, region)
        started = time.perf_counter()
        await partners.sync()
        load = time.perf_counter() - started

        rng = random.Random(7)
        times, found = [], 0
        for case in rng.sample(docs, queries):
            started = time.perf_counter()
            found += len(await partners.suggestions(case))
            times.append(time.perf_counter() - started)
        page = statistics.median(times)

        # one profile written (by "another replica"): the next page catches up with one query
        changed = docs[0]
        profile = profile_of({**changed, "description": changed["description"] + " Uusi kirjastokahvila."}, region)
        assert profile is not None
        await AdvisoryStore(store).partners.put_profile(changed["_id"], to_document(profile))
        started = time.perf_counter()
        await partners.suggestions(docs[1])
        after_change = time.perf_counter() - started
        return (
            f"partner suggestions at {cases} cases (median of {queries} case pages, index warm; the page after a "
            "profile changed; first load)",
            f"p50 {page * 1000:.1f} ms ({found / queries:.1f} suggestions each); after a change "
            f"{after_change * 1000:.0f} ms; first load {load * 1000:.0f} ms",
            f"raw find() of the {cases} profile documents {raw_read * 1000:.0f} ms",
            f"{page / raw_read:.3f} per page, {after_change / raw_read:.2f} after a change; "
            f"{load / raw_read:.1f}x the raw read to load",
        )
    finally:
        await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--store", choices=["nx-27017", "ferretdb"], default="nx-27017")
    args = parser.parse_args()
    os.environ["KOONTO_TEST_STORE"] = args.store
    server = mongo_server(temp_base("koonto-partners-bench-"))
    server.start()
    try:
        row = asyncio.run(figure(f"mongodb://127.0.0.1:{server.port}/", args.cases))
    finally:
        server.stop()
    print(f"{args.store}: | " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
