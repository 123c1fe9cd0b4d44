"""The read models of a generation being rebuilt, folded in memory and written in bulk.

A replay builds a new generation that nobody else writes until it is switched on (the live consumers write
the active generation, and one replay runs at a time). So instead of the live path's guarded single-document
writes per event, `BulkReadModels` runs the very same handlers (`use_cases.projection.apply_event`) against
in-memory documents and writes the result once per window of events:

- counters (daily, and their month roll-ups in a collection of their own): one write per counter touched in the
  window -- an insert of the whole document the first time, then `$inc` of the window's summed values -- with
  no event markers (`store.compaction`: on the live path they are only needed while a fact is pending);
- facts: one small document per event, `{_id: event id, type, applied: true}`, inserted in bulk with the window
  (no plan: a half-applied event cannot happen here, a crashed rebuild is thrown away and never switched on).
  They are what keeps a later redelivery of one of these events from counting twice: after the switch the live
  path (`ReadModels.apply`) finds the fact applied and stops, as for an event it applied itself;
- cases and calls: the whole document (insert, later replace; the in-memory copy is the authority meanwhile);
- parked: events still waiting for their case at the end (or when too many wait).
  Duplicates in the stream (the same event id twice) are recognised by the ids applied so far, kept in memory
  up to `max_seen`; past that (and in a generation that already held events, `resume`) they are looked up in
  the facts with one `$in` query per fetched batch.

The per-case rules (earliest idea time, later stage wins, consent, erasure) are the same order-independent rules
as `ReadModels`, applied to a dict: `_fold_if` here is what `ReadModels._replace_if` does with one compare-and-set.
The replay integration tests hold the two to the same documents and the same reports.

Memory stays bounded: counter changes are kept for one window; case documents are cached up to `max_cases` (then
forgotten and read back on a miss); parked events spill to the store past `max_parked`; seen ids up to
`max_seen`. Writing a window overlaps with folding the next one (`flush` returns once the previous window's
writes are done), except when the next window must read what this one writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from pymongo import InsertOne, ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError

from koonto.reporting.domain.model import Increment
from koonto.reporting.store.bulk_recounts import BulkRecounts
from koonto.reporting.store.read_models import (
    RESULTS,
    CaseIdentity,
    Document,
    ReadModels,
)
from koonto.reporting.store.window_cache import WindowCache
from koonto.shared.mongo import Collection, Store, instant

COUNTER_FIELDS = ("metric", "day", "municipality", "key")
IN_CHUNK = 1000  # ids per `$in` query
DUPLICATE_KEY = 11000
Write = Coroutine[Any, Any, object]


class BulkReadModels(BulkRecounts, ReadModels):
    """`ReadModels` of a generation nobody else writes yet: same methods, applied in memory, flushed in bulk."""

    def __init__(
        self, store: Store, generation: str, *, max_cases: int = 200_000, max_parked: int = 20_000,
        max_seen: int = 2_000_000,
    ) -> None:
        super().__init__(store, generation)
        self.max_cases = max_cases
        self.max_parked = max_parked
        self.max_seen = max_seen
        self._seen: set[str] = set()                   # event ids applied (while not looking facts up)
        self._lookup_facts = False                     # past max_seen, or resumed: facts looked up instead
        self._facts: dict[str, Document] = {}          # this window's facts, by event id
        self._known: set[str] = set()                  # event ids of this batch already in the facts collection
        self._counters: dict[str, Document] = {}       # this window's counter changes, by counter id
        self._counters_stored: set[str] = set()        # counter ids already in the store
        self._cases = WindowCache(self.cases, max_cases)  # case documents
        self._writing: asyncio.Task[None] | None = None
        self._calls: dict[str, Document] = {}
        self._dirty_calls: set[str] = set()
        self._parked: dict[str, Document] = {}         # event id -> parked document
        self._parked_by_idea: dict[str, set[str]] = {}
        self._spilled: set[str] = set()                # idea ids with parked events written to the store
        self.events_pending = 0
        self._init_recounts()

    # -- reading what the store already has -------------------------------------------------------------
    async def resume(self) -> None:
        """Carry on a generation that already holds events, written by no one else (a copy of an as-of checkpoint,
        `use_cases.as_of`): cases and first-session markers are read back on a miss, stored counters get `$inc`,
        and an event with a fact already is a duplicate, as the live path's guard would tell."""
        self._cases.forgotten = self._markers.forgotten = True
        self._lookup_facts = True
        self._calls = {str(d["_id"]): d async for d in self.calls.find({})}
        self._spilled = {str(d["idea_id"]) async for d in self.parked.find({}, {"idea_id": 1})}
        for collection in (self.counters, self.monthly, self.years, self.funnel, self.funnel_monthly,
                           self.funnel_years, self.advised_daily, self.advised_monthly):
            self._counters_stored.update([str(doc["_id"]) async for doc in collection.find({}, {"_id": 1})])

    async def known_facts(self, event_ids: Iterable[str]) -> None:
        """Before applying a batch: which of its event ids an earlier window already applied (when facts are
        written; otherwise the seen ids tell)."""
        self._known = set()
        if not self._lookup_facts:
            return
        await self.drain()  # the previous window's facts must be in the store before they are looked up
        ids = sorted(set(event_ids) - self._facts.keys() - self._seen)
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start:start + IN_CHUNK]
            async for d in self.facts.find({"_id": {"$in": chunk}}, {"_id": 1}):
                self._known.add(str(d["_id"]))

    async def _case(self, idea_id: str) -> Document | None:
        return await self._cases.get(idea_id)

    async def _ensure(self, idea_id: str) -> Document:
        doc = await self._case(idea_id)
        return self._cases.put(idea_id, doc if doc is not None else {"_id": idea_id, "opened_in_reporting": True})

    # -- counters, exactly once per event ----------------------------------------------------------------
    async def apply(self, event_id: str, event_type: str, increments: Sequence[Increment]) -> bool:
        if event_id in self._seen or event_id in self._facts or event_id in self._known:
            return False
        self._facts[event_id] = {"_id": event_id, "type": event_type, "applied": True}
        if not self._lookup_facts:
            self._seen.add(event_id)
        self.fold(increments)
        return True

    # -- cases: the rules of ReadModels, on a dict ------------------------------------------------------
    @staticmethod
    def _fold_if(doc: Document, path: str, stamp: str, *, earlier: bool, also: Document | None = None) -> None:
        old = doc.get(path)
        if old is not None and not (stamp < old if earlier else stamp > old):
            return
        doc[path] = stamp
        doc.update(also or {})

    async def record_idea(
        self, idea_id: str, *, submitted_at: datetime, municipality: str, themes: Sequence[str], org_key: str,
        org_type: str, title: str, publication: bool, organisation_name: str | None, case_id: str | None = None,
        reference: str | None = None,
    ) -> None:
        doc = await self._ensure(idea_id)
        doc.update({"municipality": municipality, "themes": sorted(set(themes)), "org_key": org_key,
                    "org_type": org_type, "title": title})
        if case_id:
            doc["case_id"] = case_id
        if reference:
            doc["reference"] = reference
        if publication and not doc.get("erased"):
            doc["publication"] = True
            doc["organisation_name"] = organisation_name
        stamp = instant(submitted_at)
        self._fold_if(doc, "idea_at", stamp, earlier=True)
        self._fold_if(doc, "reached_idea", stamp, earlier=True)

    async def record_case_opened(self, idea_id: str, opened_at: datetime) -> None:
        doc = await self._case(idea_id)
        if doc is None:  # ReadModels gives up the same way: its compare-and-set finds no document
            raise RuntimeError(f"could not update stage_at of {idea_id}: it kept changing")
        self._cases.put(idea_id, doc)
        self._fold_if(doc, "stage_at", instant(opened_at), earlier=False, also={"stage": "idea"})

    async def record_first_contact(self, idea_id: str, at: datetime) -> None:
        doc = await self._ensure(idea_id)
        self._fold_if(doc, "first_contact_at", instant(at), earlier=True)

    async def record_stage(
        self, idea_id: str, *, case_id: str, to_stage: str, at: datetime, call_id: str | None,
        public_summary: str | None, amount_granted_eur: int | None,
    ) -> None:
        doc = await self._ensure(idea_id)
        doc["case_id"] = case_id
        stamp = instant(at)
        self._fold_if(doc, "stage_at", stamp, earlier=False, also={"stage": to_stage})
        self._fold_if(doc, f"reached_{to_stage}", stamp, earlier=True)
        if call_id:
            self._fold_if(doc, "call_at", stamp, earlier=False, also={"call_id": call_id})
        if to_stage == "funded" and amount_granted_eur is not None:
            doc["amount_granted_eur"] = amount_granted_eur
        if public_summary:
            field = "results" if to_stage == "closed" else "summary"
            self._fold_if(doc, f"{field}_at", stamp, earlier=False, also={field: public_summary})

    async def record_results(self, idea_id: str, *, case_id: str, at: datetime, results: Document | None) -> None:
        doc = await self._ensure(idea_id)
        doc["case_id"] = case_id
        self._fold_if(doc, f"{RESULTS}_at", instant(at), earlier=False, also={RESULTS: results})

    async def case_identity(self, idea_id: str) -> CaseIdentity | None:
        doc = await self._case(idea_id)
        if not doc or not doc.get("municipality"):
            return None
        return CaseIdentity(municipality=doc["municipality"], org_key=doc.get("org_key") or "")

    async def erase(self, idea_ids: Sequence[str]) -> None:
        for idea_id in idea_ids:
            doc = await self._ensure(idea_id)
            doc["erased"] = True
            doc["publication"] = False
            doc.pop(RESULTS, None)
            doc.pop("organisation_name", None)

    # -- events waiting for their case ---------------------------------------------------------------------
    async def park(self, event_id: str, idea_id: str, envelope_json: str) -> None:
        if event_id not in self._parked:
            self._parked[event_id] = {"_id": event_id, "idea_id": idea_id, "envelope": envelope_json}
            self._parked_by_idea.setdefault(idea_id, set()).add(event_id)

    async def parked_for(self, idea_id: str) -> list[str]:
        found = {k: self._parked[k]["envelope"] for k in self._parked_by_idea.get(idea_id, ())}
        if idea_id in self._spilled:
            async for d in self.parked.find({"idea_id": idea_id}):
                found.setdefault(str(d["_id"]), d["envelope"])
        return [found[k] for k in sorted(found)]

    async def unpark(self, event_id: str) -> None:
        doc = self._parked.pop(event_id, None)
        if doc is None:
            await self.parked.delete_one({"_id": event_id})
            return
        waiting = self._parked_by_idea.get(doc["idea_id"])
        if waiting is not None:
            waiting.discard(event_id)
            if not waiting:
                del self._parked_by_idea[doc["idea_id"]]

    async def parked_count(self) -> int:
        return len(self._parked) + await self.parked.count_documents({})

    # -- calls -------------------------------------------------------------------------------------------
    async def record_call(self, call_id: str, *, name: str, funder: str, opens_on: date, closes_on: date) -> None:
        self._calls.setdefault(call_id, {"_id": call_id}).update(
            {"name": name, "funder": funder, "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()}
        )
        self._dirty_calls.add(call_id)

    async def record_call_closed(self, call_id: str, *, name: str, closed_on: date) -> None:
        doc = self._calls.setdefault(call_id, {"_id": call_id, "name": name})
        doc["closed_on"] = closed_on.isoformat()
        self._dirty_calls.add(call_id)

    # -- writing -----------------------------------------------------------------------------------------
    async def _spill_parked(self, docs: list[Document]) -> None:
        try:
            await self.parked.insert_many(docs, ordered=False)
        except BulkWriteError as error:  # parked before (spilled earlier, then seen again): kept once, as live
            if any(e.get("code") != DUPLICATE_KEY for e in error.details.get("writeErrors", [])):
                raise

    async def flush(self, *, final: bool = False) -> None:
        """Hand this window's changes to the store. Returns when the previous window's writes are done; this
        window's are done too when `final`, or when the next window will read what they write.

        The bulk writes go to the raw collections: nobody else writes this generation yet, so there is no other
        writer of these documents to wait for."""
        await self.drain()
        self.recount_window()
        writes: list[Write] = []
        wait = final
        if self._facts:
            writes.append(self.facts.insert_many(list(self._facts.values()), ordered=False))
        if self._counters:
            writes += self._counter_writes()
        for cache in (self._cases, self._markers):
            if cache.dirty:
                writes.append(cache.collection.raw.bulk_write(cache.writes(), ordered=False))
        if self._dirty_calls:
            writes.append(self.calls.raw.bulk_write([
                ReplaceOne({"_id": call_id}, dict(self._calls[call_id]), upsert=True)
                for call_id in sorted(self._dirty_calls)
            ], ordered=False))
        if self._parked and (final or len(self._parked) > self.max_parked):
            writes.append(self._spill_parked(list(self._parked.values())))
            self._spilled.update(self._parked_by_idea)
            self._parked, self._parked_by_idea = {}, {}
            wait = True  # the next window may look for them in the store
        self._facts, self._counters = {}, {}
        self._dirty_calls = set()
        self.events_pending = 0
        if self._cases.forget_if_full() | self._markers.forget_if_full():
            wait = True  # the next window reads forgotten cases and markers back
        if not self._lookup_facts and len(self._seen) > self.max_seen:
            self._lookup_facts = True  # the seen ids stay (bounded); newer ids are looked up as facts
            wait = True
        self._writing = asyncio.create_task(self._write(writes))
        if wait:
            await self.drain()

    def _counter_writes(self) -> list[Write]:
        by_collection: dict[str, tuple[Collection, list[InsertOne[Document] | UpdateOne]]] = {}
        for counter_id, c in self._counters.items():
            collection = self.counter_collection(c["metric"], c["day"])  # day, month roll-up, funnel
            ops = by_collection.setdefault(collection.name, (collection, []))[1]
            if counter_id in self._counters_stored:
                ops.append(UpdateOne({"_id": counter_id}, {"$inc": c["values"]}))
            else:
                ops.append(InsertOne({"_id": counter_id, **{k: c[k] for k in COUNTER_FIELDS}, **c["values"]}))
        self._counters_stored.update(self._counters)
        return [collection.raw.bulk_write(ops, ordered=False) for collection, ops in by_collection.values()]

    @staticmethod
    async def _write(writes: list[Write]) -> None:
        await asyncio.gather(*writes)

    @property
    def writing(self) -> bool:
        """Whether a window's writes are still on their way (the store is busy with them)."""
        return self._writing is not None and not self._writing.done()

    async def drain(self) -> None:
        """Wait for the writes in flight (raising what they raised)."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            await writing
