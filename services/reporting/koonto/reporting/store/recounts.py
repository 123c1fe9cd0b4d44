"""Moving the counters a case's (or an organisation's) earliest dates decide, exactly once (`domain.recount`).

A document that decides counters (a case; a first-session marker per organisation and year) carries the basis
its counters were last moved to (`counted`), a revision (`counted_rev`) and, while a move is under way, the move
itself (`pending_id`, `pending_plan`). A recount, under the document's step lock:

1. finishes a move left pending (a crash, or a replica that stopped half-way);
2. computes the basis the document now stands for; when it equals `counted`, stops (the usual case);
3. otherwise writes the new basis, the next revision and the move (`delta(plan(old), plan(new))`) into the
   document in one single-document write, guarded by the revision it read (compare-and-set: a concurrent
   recount makes it start again);
4. applies the move as an event of its own (`ReadModels.apply`, id `m:<document>#<revision>`: a fact and one
   guarded counter update per counter, so a second attempt adds nothing), then clears `pending_id`.

Because the basis and the move are written together before any counter changes, the next recount always starts
from the basis the counters are moving to: a late event moves a case's count exactly once, whichever order the
events arrive in and wherever a crash falls. Rebuilt generations (`store.bulk`) fold the same deltas in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pymongo.errors import DuplicateKeyError

from koonto.reporting.domain import recount
from koonto.reporting.domain.model import Increment
from koonto.shared.mongo import Collection, Document, DocumentLocks

MOVE_PREFIX = "m:"
MOVE_TYPE = "recount"
RECOUNT_FIELDS = ("counted", "counted_rev", "pending_id", "pending_plan")
Wanted = Callable[[Document | None], Any]
Plan = Callable[[Any], list[Increment]]


def move_id(doc_id: str, revision: int) -> str:
    return f"{MOVE_PREFIX}{doc_id}#{revision}"


class Recounts:
    """The recount step of `ReadModels` (which provides `apply`, `cases`, `advised` and `steps`)."""

    cases: Collection
    advised: Collection
    steps: DocumentLocks

    async def apply(self, event_id: str, event_type: str, increments: Sequence[Increment]) -> bool:
        raise NotImplementedError

    async def _finish_move(self, collection: Collection, doc_id: str, pending_id: str, plan: list[Document]) -> None:
        await self.apply(pending_id, MOVE_TYPE, recount.increments_of(plan))
        await collection.update_one({"_id": doc_id, "pending_id": pending_id},
                                    {"$unset": {"pending_id": "", "pending_plan": ""}})

    async def _recount(self, collection: Collection, doc_id: str, wanted: Wanted, plan: Plan) -> None:
        """Move the counters `doc_id` decides to the basis `wanted(document)` (steps 1-4 above). The caller holds
        the document's step lock."""
        for _ in range(10):
            doc = await collection.find_one({"_id": doc_id})
            if doc and doc.get("pending_id"):
                await self._finish_move(collection, doc_id, doc["pending_id"], doc["pending_plan"])
            old = doc.get("counted") if doc else None
            new = wanted(doc)
            if new == old:
                return
            revision = int((doc or {}).get("counted_rev") or 0) + 1
            moving = move_id(doc_id, revision)
            entries = [inc.as_document() for inc in recount.delta(plan(old), plan(new))]
            fields = {"counted": new, "counted_rev": revision, "pending_id": moving, "pending_plan": entries}
            if doc is None:
                try:
                    await collection.insert_one({"_id": doc_id, **fields})
                except DuplicateKeyError:
                    continue  # another writer created it: read it again
            else:
                guard: Document = {"_id": doc_id, "counted_rev": doc.get("counted_rev", {"$exists": False})}
                if not (await collection.update_one(guard, {"$set": fields})).matched_count:
                    continue
            await self._finish_move(collection, doc_id, moving, entries)
            return
        raise RuntimeError(f"could not recount {doc_id}: it kept changing")

    async def recount_case(self, idea_id: str) -> None:
        """The case's funnel and duration counters, after a step that may have changed its dates."""
        await self._recount(self.cases, idea_id, recount.case_basis, recount.case_plan)

    async def record_advised(self, org_key: str, municipality: str, day: str) -> None:
        """A session on `day` for an organisation: its first-session markers move to it when it is earlier."""
        for scope in recount.advised_scopes(day, municipality):
            marker = scope.marker_id(org_key)
            async with self.steps.hold(self.advised.name, marker):
                await self._recount(self.advised, marker,
                                    lambda doc: recount.earliest((doc or {}).get("counted"), day), scope.plan)
