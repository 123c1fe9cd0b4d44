"""The read models of one generation: idempotent counters, cases, calls, events waiting for their case.

Read models live in collections named `rm_<generation>_<name>` (which generation is active: `generations`).

How a counter write stays exactly-once without transactions
-----------------------------------------------------------
An event's contribution to the counters is a *plan*: a list of increments `metric|day|municipality|key`
decided by `domain.model` from the event alone (plus the case's municipality and organisation key, which never
change). Applying an event:

1. The plan is written first into a **fact** document keyed by the event id (`rm_<g>_facts`, `_id` = event
   id). Insert-or-read: when the fact already exists (a redelivery, another replica), the stored plan is used,
   so every attempt applies exactly the same increments even if something changed in between.
2. Each increment is one single-document update of its counter, **guarded by the event id** while the fact is
   pending: the counter carries a marker field for the event (`e_<event id>`), and
   `update_one({_id: counter, e_<id>: {$exists: false}}, {$inc: values, $set: {e_<id>: true}})`
   does the `$inc` and records the event in the same atomic document write, so a counter can never hold the
   increment without the marker or the marker without the increment. Re-running the update for an event
   already applied matches nothing and changes nothing. (Marker fields rather than an array of ids with
   `$ne`: some supported stores compare a whole array against `$ne`, which would let a second increment
   through.)
3. The fact is marked `applied`; later redeliveries stop at step 1 without touching any counter. From then on
   the fact alone is the guard, and the markers are only kept for a grace period (a delivery that read the fact
   as pending a moment earlier may still be between its steps): `store.compaction` unsets them afterwards, in
   batches, so a counter carries the markers of the last hour's events rather than of its whole history.

A crash between any two of these writes is harmless: the redelivered event re-reads its plan (1), the
counters it already reached skip it (2), the others get it once; the consumer's inbox record comes last. A fact
left pending (a delivery that was never retried) is finished by the compaction pass after the grace period. The
facts name the counters each event was applied to (`plan`), so a count can be audited back to the stream; a
rebuilt generation (`store.bulk`) writes facts without plans and counters without markers.

Month roll-ups: every plan also carries, for each daily counter, the same increment on its month's counter
(`metric|YYYY-MM|municipality|key`, in `rm_<g>_monthly`), applied the same guarded way. A report reads whole months
from the roll-ups and only the days at the ends of its period from the daily counters (`domain.periods`), so its
cost follows the length of the period, not the number of events in it. A generation built before the roll-ups
existed is read from its daily counters (`reporting_meta.rollups` is not set) until a replay rebuilds it.
Year documents: the plan also carries, per metric, year and municipality, one document (`metric|YYYY|municipality|`
in `rm_<g>_yearly`, the funnel's in `rm_<g>_funnel_yearly`) with a field per key and value (`domain.periods`),
applied the same guarded way; a report reads whole years from them. A generation or checkpoint built before them
(`reporting_meta.yearly`, the checkpoint's `yearly`, not set) is read by months.

The funnel, the durations and the first-session counters of "associations advised" depend on a case's (or an
organisation's) earliest dates, which a late event can move: `store.recounts` moves those counters exactly once
(the funnel's in collections of their own, `rm_<g>_funnel` and `rm_<g>_funnel_monthly`; the organisations'
first-session markers in `rm_<g>_advised`).

Writes to one document are serialised inside the process by `koonto.shared.mongo.Store` (the store subset does
not promise that two concurrent updates of one document both land: measured on one supported store, 40
concurrent `$inc` of one field gave 4). The per-case steps below that read and then write (record an idea,
a stage, an erasure) also hold one lock per case across their steps (`steps`), so an erasure cannot fall
between reading the consent and writing it.

Sums are taken in Python over the `$match`ed counters rather than by a `$group` with several `$sum`s, which
some supported stores answer with zeros for every accumulator after the first.

Per-case facts (idea date, first contact, stages reached, the current stage, consent, public summary) are
written as order-independent conditional updates: "set the first-contact time if none yet or if this one is
earlier", "set the stage if this transition is later than the one recorded". Applying them twice or in any
order gives the same document.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from koonto.reporting.domain.model import Increment
from koonto.reporting.domain.periods import is_day, is_year, with_month_rollups
from koonto.reporting.domain.recount import FUNNEL_METRICS
from koonto.reporting.store.reads import Reads
from koonto.reporting.store.recounts import Recounts
from koonto.shared.clock import utcnow
from koonto.shared.mongo import Collection, Document, DocumentLocks, Store, ensure_indexes, epoch_ms, instant

COLLECTION_PREFIX = "rm_"
READ_MODELS = ("facts", "counters", "monthly", "yearly", "funnel", "funnel_monthly", "funnel_yearly", "advised",
               "advised_daily", "advised_monthly", "cases", "calls", "parked")
RESULTS = "published_results"  # a project's results for the showcase (advisory's project-results-published)
ADVISED = "advised"  # the organisations advised, per day or month: one counter per organisation (`domain.model`)
COUNTER_KEY_FIELDS = ("metric", "day", "municipality", "key")
MARKERS_AT = "markers_at"  # on a fact: its event's markers may still be on counters, relied on since then (ms)


def event_marker(event_id: str) -> str:
    """The field on a counter that says this event was applied to it."""
    return "e_" + event_id.replace(".", "_").replace("$", "_")


def collection_name(generation: str, model: str) -> str:
    return f"{COLLECTION_PREFIX}{generation}_{model}"


def merge_increments(increments: Iterable[Increment]) -> list[Document]:
    """One entry per counter (a plan must not name a counter twice: the event-id guard would drop the second)."""
    merged: dict[str, Document] = {}
    for inc in increments:
        doc = merged.setdefault(inc.counter_id, {**inc.as_document(), "values": {}})
        for name, value in inc.values.items():
            doc["values"][name] = doc["values"].get(name, 0) + value
    return list(merged.values())


async def upsert(collection: Collection, filter: Document, update: Document, or_else: Document | None = None) -> None:
    """An update with upsert; when two writers insert the same `_id` at once the loser updates (`or_else`, or
    `update`) without the upsert: the document exists by then."""
    try:
        await collection.update_one(filter, update, upsert=True)
    except DuplicateKeyError:
        await collection.update_one(filter, or_else or update)


@dataclass(frozen=True)
class CaseIdentity:
    municipality: str
    org_key: str


class ReadModels(Reads, Recounts):
    """The read models of one generation, with methods in domain words."""

    def __init__(
        self, store: Store, generation: str, *, rollups: bool = True, recounts: bool = True,
        use_recounts: bool = True, steps: DocumentLocks | None = None, yearly: bool = True,
    ) -> None:
        self.store = store
        self.steps = steps or DocumentLocks()  # one per case across a read-then-write sequence (see above)
        self.generation = generation
        self.rollups = rollups  # reports read month roll-ups (False: a generation built before them)
        # and whole years from the year documents (False: a generation built before them, read by months; every
        # generation is written with them)
        self.yearly = rollups and yearly
        # the generation has the funnel, duration and first-session counters (`store.recounts`) and keeps the
        # per-organisation `advised` counters apart (False: one built before them, read from its cases until a
        # replay rebuilds it); reports read them unless `use_recounts` is False (the old way, for comparison)
        self.has_recounts = recounts
        self.recounts = recounts and use_recounts
        self.facts: Collection = store[collection_name(generation, "facts")]
        self.counters: Collection = store[collection_name(generation, "counters")]
        self.monthly: Collection = store[collection_name(generation, "monthly")]
        self.years: Collection = store[collection_name(generation, "yearly")]
        self.funnel: Collection = store[collection_name(generation, "funnel")]
        self.funnel_monthly: Collection = store[collection_name(generation, "funnel_monthly")]
        self.funnel_years: Collection = store[collection_name(generation, "funnel_yearly")]
        self.advised: Collection = store[collection_name(generation, "advised")]
        self.advised_daily: Collection = store[collection_name(generation, "advised_daily")]
        self.advised_monthly: Collection = store[collection_name(generation, "advised_monthly")]
        self.cases: Collection = store[collection_name(generation, "cases")]
        self.calls: Collection = store[collection_name(generation, "calls")]
        self.parked: Collection = store[collection_name(generation, "parked")]

    async def ensure_indexes(self) -> None:
        # the shared helper creates only what is missing (a restart or a second replica runs this again)
        await ensure_indexes(self.store.db, {
            self.facts.name: [IndexModel([(MARKERS_AT, ASCENDING)], name=MARKERS_AT)],
            self.counters.name: [
                IndexModel([("metric", ASCENDING), ("day", ASCENDING)], name="metric_day"),
                IndexModel([("metric", ASCENDING), ("municipality", ASCENDING), ("day", ASCENDING)],
                           name="metric_mun_day"),
            ],
            self.monthly.name: [IndexModel([("day", ASCENDING)], name="month")],
            self.years.name: [IndexModel([("day", ASCENDING)], name="year")],
            self.funnel.name: [IndexModel([("metric", ASCENDING), ("day", ASCENDING)], name="metric_day")],
            self.funnel_monthly.name: [IndexModel([("metric", ASCENDING), ("day", ASCENDING)], name="metric_day")],
            self.funnel_years.name: [IndexModel([("metric", ASCENDING), ("day", ASCENDING)], name="metric_day")],
            self.advised_daily.name: [IndexModel([("day", ASCENDING)], name="day")],
            self.advised_monthly.name: [IndexModel([("day", ASCENDING)], name="month")],
            self.cases.name: [IndexModel([("municipality", ASCENDING)], name="municipality")],
            self.parked.name: [IndexModel([("idea_id", ASCENDING)], name="idea_id")],
        })

    # -- counters, exactly once per event ----------------------------------------------------------------
    async def apply(self, event_id: str, event_type: str, increments: Sequence[Increment]) -> bool:
        """Apply an event's plan once. Returns False when the event had already been applied in full."""
        plan = merge_increments(with_month_rollups(list(increments)))
        fact: Document = {"_id": event_id, "type": event_type, "plan": plan, "applied": False,
                          "recorded_at": instant(utcnow()), MARKERS_AT: epoch_ms()}
        try:
            await self.facts.insert_one(fact)  # a new event (the usual case): one round trip, no look-up first
        except DuplicateKeyError:
            stored = await self.facts.find_one({"_id": event_id})
            assert stored is not None
            fact = stored
        if fact.get("applied"):
            return False
        await self.finish(event_id, fact["plan"])
        return True

    async def finish(self, event_id: str, plan: Sequence[Document]) -> None:
        """Steps 2 and 3 for a fact written: every counter of the plan guarded by the event's marker, then the fact
        `applied` (and its markers left for `store.compaction` to remove once no writer can still rely on them)."""
        for entry in plan:
            await self._increment_once(entry, event_id)
        await self.facts.update_one({"_id": event_id}, {"$set": {"applied": True, MARKERS_AT: epoch_ms()}})

    async def _increment_once(self, entry: Document, event_id: str) -> None:
        # One update per counter, not one bulk write per event: some supported stores answer a bulk update
        # whose upsert collides (a redelivery: the counter exists and holds the marker) without `nModified`,
        # which PyMongo cannot read, so the collision could not be told apart from a real failure.
        marker = event_marker(event_id)
        guard = {"_id": entry["id"], marker: {"$exists": False}}
        applied = {"$inc": entry["values"], "$set": {marker: True}}
        # on a collision the counter exists: either this event is on it already (nothing to do) or another event
        # created it at the same moment; without the upsert the guarded update is right in both cases
        await upsert(self.counter_collection(entry["metric"], entry["day"]), guard,
                     {**applied, "$setOnInsert": {k: entry[k] for k in COUNTER_KEY_FIELDS}}, applied)

    def counter_collection(self, metric: str, day: str) -> Collection:
        """Daily counters (YYYY-MM-DD), their month roll-ups (YYYY-MM) and year documents (YYYY) live in collections
        of their own; so do the funnel's (read by a query of their own, never with a period's other counters)."""
        if metric in FUNNEL_METRICS:
            return self.funnel if is_day(day) else self.funnel_years if is_year(day) else self.funnel_monthly
        if metric == ADVISED and self.has_recounts:  # one per organisation: a report reads them only when it must
            return self.advised_daily if is_day(day) else self.advised_monthly
        return self.counters if is_day(day) else self.years if is_year(day) else self.monthly

    # -- cases -------------------------------------------------------------------------------------------
    async def _ensure_case(self, idea_id: str) -> None:
        try:
            await self.cases.update_one({"_id": idea_id}, {"$setOnInsert": {"opened_in_reporting": True}}, upsert=True)
        except DuplicateKeyError:
            pass  # two consumers created the same case at the same moment: it exists, which is all we need

    async def _replace_if(
        self, idea_id: str, path: str, stamp: str, *, earlier: bool, also: Document | None = None
    ) -> None:
        """Compare-and-set: put `stamp` at `path` when there is none yet, or when it is earlier (or later) than
        the one there. The guard names the old value exactly, so a concurrent change makes it retry; no `$or`
        (some supported stores mis-apply `$or` next to `_id`)."""
        for _ in range(10):
            doc = await self.cases.find_one({"_id": idea_id}, {path: 1})
            old: Any = doc.get(path) if doc else None
            if old is not None and not (stamp < old if earlier else stamp > old):
                return
            guard: Document = {"_id": idea_id, path: old if old is not None else {"$exists": False}}
            result = await self.cases.update_one(guard, {"$set": {path: stamp, **(also or {})}})
            if result.matched_count:
                return
        raise RuntimeError(f"could not update {path} of {idea_id}: it kept changing")

    async def _set_if_earlier(self, idea_id: str, path: str, at: datetime) -> None:
        await self._replace_if(idea_id, path, instant(at), earlier=True)

    async def record_idea(
        self, idea_id: str, *, submitted_at: datetime, municipality: str, themes: Sequence[str], org_key: str,
        org_type: str, title: str, publication: bool, organisation_name: str | None, case_id: str | None = None,
        reference: str | None = None,
    ) -> None:
        """What idea-submitted and case-opened both tell; the same values whichever arrives first."""
        async with self.steps.hold(self.cases.name, idea_id):
            await self._ensure_case(idea_id)
            fields: Document = {
                "municipality": municipality, "themes": sorted(set(themes)), "org_key": org_key,
                "org_type": org_type, "title": title,
            }
            if case_id:
                fields["case_id"] = case_id
            if reference:
                fields["reference"] = reference
            await self.cases.update_one({"_id": idea_id}, {"$set": fields})
            # consent: an explicit yes from either event counts; an erased case never shows again
            if publication:
                current = await self.cases.find_one({"_id": idea_id}, {"erased": 1})
                if not (current or {}).get("erased"):
                    await self.cases.update_one(
                        {"_id": idea_id}, {"$set": {"publication": True, "organisation_name": organisation_name}}
                    )
            await self._set_if_earlier(idea_id, "idea_at", submitted_at)
            await self._set_if_earlier(idea_id, "reached_idea", submitted_at)
            await self.recount_case(idea_id)

    async def record_case_opened(self, idea_id: str, opened_at: datetime) -> None:
        async with self.steps.hold(self.cases.name, idea_id):
            await self._set_if_later_stage(idea_id, "idea", opened_at)

    async def record_first_contact(self, idea_id: str, at: datetime) -> None:
        async with self.steps.hold(self.cases.name, idea_id):
            await self._ensure_case(idea_id)
            await self._set_if_earlier(idea_id, "first_contact_at", at)
            await self.recount_case(idea_id)

    async def _set_if_later_stage(self, idea_id: str, stage: str, at: datetime, extra: Document | None = None) -> None:
        await self._replace_if(idea_id, "stage_at", instant(at), earlier=False, also={"stage": stage, **(extra or {})})

    async def record_stage(
        self, idea_id: str, *, case_id: str, to_stage: str, at: datetime, call_id: str | None,
        public_summary: str | None, amount_granted_eur: int | None,
    ) -> None:
        async with self.steps.hold(self.cases.name, idea_id):
            await self._ensure_case(idea_id)
            await self.cases.update_one({"_id": idea_id}, {"$set": {"case_id": case_id}})
            await self._set_if_later_stage(idea_id, to_stage, at)
            await self._set_if_earlier(idea_id, f"reached_{to_stage}", at)
            if call_id:
                await self._replace_if(idea_id, "call_at", instant(at), earlier=False, also={"call_id": call_id})
            if to_stage == "funded" and amount_granted_eur is not None:
                await self.cases.update_one({"_id": idea_id}, {"$set": {"amount_granted_eur": amount_granted_eur}})
            if public_summary:
                field = "results" if to_stage == "closed" else "summary"
                await self._replace_if(idea_id, f"{field}_at", instant(at), earlier=False,
                                       also={field: public_summary})
            await self.recount_case(idea_id)

    async def record_results(self, idea_id: str, *, case_id: str, at: datetime, results: Document | None) -> None:
        """Published results (None: withdrawn): the newest wins, in any order, however often each arrives."""
        async with self.steps.hold(self.cases.name, idea_id):
            await self._ensure_case(idea_id)
            await self.cases.update_one({"_id": idea_id}, {"$set": {"case_id": case_id}})
            await self._replace_if(idea_id, f"{RESULTS}_at", instant(at), earlier=False, also={RESULTS: results})

    async def case_identity(self, idea_id: str) -> CaseIdentity | None:
        doc = await self.cases.find_one({"_id": idea_id}, {"municipality": 1, "org_key": 1})
        if not doc or not doc.get("municipality"):
            return None
        return CaseIdentity(municipality=doc["municipality"], org_key=doc.get("org_key") or "")

    async def erase(self, idea_ids: Sequence[str]) -> None:
        """Nothing personal is kept; still, an erased idea drops its organisation name, results and showcase place."""
        for idea_id in idea_ids:
            async with self.steps.hold(self.cases.name, idea_id):
                await self._ensure_case(idea_id)
                await self.cases.update_one(
                    {"_id": idea_id},
                    {"$set": {"erased": True, "publication": False}, "$unset": {"organisation_name": "", RESULTS: ""}},
                )

    # -- events waiting for their case ---------------------------------------------------------------------
    async def park(self, event_id: str, idea_id: str, envelope_json: str) -> None:
        with contextlib.suppress(DuplicateKeyError):
            await self.parked.insert_one({"_id": event_id, "idea_id": idea_id, "envelope": envelope_json})

    async def parked_for(self, idea_id: str) -> list[str]:
        return [d["envelope"] async for d in self.parked.find({"idea_id": idea_id}).sort("_id", 1)]

    async def unpark(self, event_id: str) -> None:
        await self.parked.delete_one({"_id": event_id})

    async def parked_count(self) -> int:
        return await self.parked.count_documents({})

    # -- calls -------------------------------------------------------------------------------------------
    async def record_call(self, call_id: str, *, name: str, funder: str, opens_on: date, closes_on: date) -> None:
        fields = {"name": name, "funder": funder, "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()}
        await upsert(self.calls, {"_id": call_id}, {"$set": fields})

    async def record_call_closed(self, call_id: str, *, name: str, closed_on: date) -> None:
        closed = {"$set": {"closed_on": closed_on.isoformat()}}
        await upsert(self.calls, {"_id": call_id}, {**closed, "$setOnInsert": {"name": name}}, closed)

    async def call_names(self) -> dict[str, str]:
        return {str(d["_id"]): str(d.get("name") or d["_id"]) async for d in self.calls.find({}, {"name": 1})}
