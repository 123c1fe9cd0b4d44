"""The recounts of `store.recounts` for a generation being rebuilt (`store.bulk`), folded in memory.

Nobody else writes the generation yet, so no move has to survive a crash (a crashed rebuild is thrown away):
the counters move by the same `delta(plan(old), plan(new))` as on the live path, straight into the window's
counter changes, and the documents keep `counted` and `counted_rev` as the live path leaves them, so the live
consumers carry on from there after the switch. A case is recounted once per window, when it was touched in it
(its dates only ever move earlier, so the window's last basis is the one that counts); a first-session marker is
moved when a session arrives, in a cache bounded like the cases'.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import InsertOne, ReplaceOne

from koonto.reporting.domain import recount
from koonto.reporting.domain.model import Increment
from koonto.reporting.domain.periods import with_month_rollups
from koonto.reporting.store.read_models import Document, merge_increments
from koonto.shared.mongo import Collection

COUNTER_FIELDS = ("metric", "day", "municipality", "key")


class BulkRecounts:
    """Mixed into `BulkReadModels`, which provides the window's counter changes and the case cache."""

    advised: Collection
    max_cases: int
    _counters: dict[str, Document]
    _cases: dict[str, Document | None]
    _dirty_cases: set[str]

    def _init_recounts(self) -> None:
        self._markers: dict[str, Document | None] = {}  # first-session markers (None: known not to exist)
        self._markers_stored: set[str] = set()
        self._dirty_markers: set[str] = set()
        self._markers_forgotten = False  # once evicted, a miss reads the store

    def fold(self, increments: Sequence[Increment], marker: str | None = None) -> None:
        """Add `increments` (and their month roll-ups) to this window's counter changes, with the event's marker."""
        for entry in merge_increments(with_month_rollups(list(increments))):
            counter = self._counters.get(entry["id"])
            if counter is None:
                counter = self._counters[entry["id"]] = {
                    **{k: entry[k] for k in COUNTER_FIELDS}, "values": {}, "markers": {},
                }
            values = counter["values"]
            for name, value in entry["values"].items():
                values[name] = values.get(name, 0) + value
            if marker is not None:
                counter["markers"][marker] = True

    @staticmethod
    def _move(doc: Document, new: object, plan_old: list[Increment], plan_new: list[Increment]) -> list[Increment]:
        doc["counted"] = new
        doc["counted_rev"] = int(doc.get("counted_rev") or 0) + 1
        return recount.delta(plan_old, plan_new)

    def recount_window(self) -> None:
        """Before a window is written: every case touched in it moved to the basis it now stands for."""
        for idea_id in self._dirty_cases:
            doc = self._cases.get(idea_id)
            if doc is None:
                continue
            old, new = doc.get("counted"), recount.case_basis(doc)
            if new != old:
                self.fold(self._move(doc, new, recount.case_plan(old), recount.case_plan(new)))

    async def recount_case(self, idea_id: str) -> None:
        """Cases are recounted once per window (`recount_window`)."""

    async def _marker(self, marker_id: str) -> Document | None:
        if marker_id in self._markers:
            return self._markers[marker_id]
        doc = await self.advised.find_one({"_id": marker_id}) if self._markers_forgotten else None
        self._markers[marker_id] = doc
        if doc is not None:
            self._markers_stored.add(marker_id)
        return doc

    async def record_advised(self, org_key: str, municipality: str, day: str) -> None:
        for scope in recount.advised_scopes(day, municipality):
            marker_id = scope.marker_id(org_key)
            doc = await self._marker(marker_id)
            old = doc.get("counted") if doc else None
            new = recount.earliest(old, day)
            if new == old:
                continue
            if doc is None:
                doc = self._markers[marker_id] = {"_id": marker_id}
            self.fold(self._move(doc, new, scope.plan(old), scope.plan(new)))
            self._dirty_markers.add(marker_id)

    def marker_writes(self) -> list[InsertOne[Document] | ReplaceOne[Document]]:
        """The window's first-session markers to write; the cache is forgotten when it outgrows `max_cases`."""
        ops: list[InsertOne[Document] | ReplaceOne[Document]] = []
        for marker_id in sorted(self._dirty_markers):
            doc = dict(self._markers[marker_id] or {})
            ops.append(ReplaceOne({"_id": marker_id}, doc) if marker_id in self._markers_stored else InsertOne(doc))
        self._markers_stored.update(self._dirty_markers)
        self._dirty_markers = set()
        return ops

    def forget_markers(self) -> bool:
        """Drop the marker cache when it is too large; True when the next window must read them back."""
        if len(self._markers) <= self.max_cases:
            return False
        self._markers, self._markers_stored = {}, set()
        self._markers_forgotten = True
        return True
