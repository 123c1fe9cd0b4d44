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

from koonto.reporting.domain import recount
from koonto.reporting.domain.model import Increment
from koonto.reporting.domain.periods import NO_YEAR_TWIN, is_day, packed_field
from koonto.reporting.store.read_models import Document
from koonto.reporting.store.window_cache import WindowCache
from koonto.shared.mongo import Collection


class BulkRecounts:
    """Mixed into `BulkReadModels`, which provides the window's counter changes and the case cache."""

    advised: Collection
    max_cases: int
    _counters: dict[str, Document]
    _cases: WindowCache

    def _init_recounts(self) -> None:
        self._markers = WindowCache(self.advised, self.max_cases)  # first-session markers

    def fold(self, increments: Sequence[Increment]) -> None:
        """Add `increments` (and their month roll-ups and year documents) to this window's counter changes: what
        `merge_increments(with_month_rollups(increments))` gives, summed straight into the window (the rebuild's
        hottest loop: no intermediate increments or documents)."""
        counters = self._counters
        for inc in increments:
            daily = is_day(inc.day)
            days = (inc.day, inc.day[:7]) if daily else (inc.day,)  # the daily one and its month roll-up
            for day in days:
                counter_id = f"{inc.metric}|{day}|{inc.municipality}|{inc.key}"  # `Increment.counter_id`
                counter = counters.get(counter_id)
                if counter is None:
                    counter = counters[counter_id] = {
                        "metric": inc.metric, "day": day, "municipality": inc.municipality, "key": inc.key,
                        "values": {},
                    }
                values = counter["values"]
                for name, value in inc.values.items():
                    values[name] = values.get(name, 0) + value
            if daily and inc.metric not in NO_YEAR_TWIN:  # and its year document (a field per key and value)
                year = inc.day[:4]
                counter_id = f"{inc.metric}|{year}|{inc.municipality}|"
                counter = counters.get(counter_id)
                if counter is None:
                    counter = counters[counter_id] = {
                        "metric": inc.metric, "day": year, "municipality": inc.municipality, "key": "",
                        "values": {},
                    }
                values = counter["values"]
                for name, value in inc.values.items():
                    field = packed_field(name, inc.key)
                    values[field] = values.get(field, 0) + value

    @staticmethod
    def _move(doc: Document, new: object, plan_old: list[Increment], plan_new: list[Increment]) -> list[Increment]:
        doc["counted"] = new
        doc["counted_rev"] = int(doc.get("counted_rev") or 0) + 1
        return recount.delta(plan_old, plan_new)

    def recount_window(self) -> None:
        """Before a window is written: every case touched in it moved to the basis it now stands for."""
        for _, doc in self._cases.touched():
            old, new = doc.get("counted"), recount.case_basis(doc)
            if new != old:
                self.fold(self._move(doc, new, recount.case_plan(old), recount.case_plan(new)))

    async def recount_case(self, idea_id: str) -> None:
        """Cases are recounted once per window (`recount_window`)."""

    async def record_advised(self, org_key: str, municipality: str, day: str) -> None:
        for scope in recount.advised_scopes(day, municipality):
            marker_id = scope.marker_id(org_key)
            doc = await self._markers.get(marker_id)
            old = doc.get("counted") if doc else None
            new = recount.earliest(old, day)
            if new == old:
                continue
            doc = self._markers.put(marker_id, doc if doc is not None else {"_id": marker_id})
            self.fold(self._move(doc, new, scope.plan(old), scope.plan(new)))
