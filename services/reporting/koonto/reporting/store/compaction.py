"""Removing the event markers from the counters once nothing can rely on them any more.

The exactly-once guard of the live path (`read_models`, steps 1-3) is the fact document: an event whose fact is
`applied` stops there on every redelivery, without reading a counter. The per-counter marker (`e_<event id>`) is
only needed while the fact is pending: it tells a second attempt (a redelivery after a crash, or a replica that
received the same event meanwhile) which counters the first attempt already reached. So markers are temporary;
a fact whose markers may still be on counters carries `markers_at` (ms): the last moment a writer may have read it
as pending (its insert, then the moment it was marked `applied`).

`compact(models, older_than)` takes the facts whose `markers_at` is older than the grace period, in batches:

- an `applied` fact: its markers are unset from the counters of its plan -- one `$unset` per counter per batch,
  naming the markers of every fact of the batch on it (a month roll-up touched by a whole batch is written once)
  -- and only then `markers_at` is removed from the batch's facts;
- a fact still pending after the grace period (its delivery crashed and was never retried, e.g. dead-lettered):
  its plan is finished the guarded way (`ReadModels.finish`), which sets `markers_at` again, so its markers are
  removed by a later pass, never right after a writer may have used them.

Why this is safe, at any point of a crash or a redelivery:

- a redelivery of an applied event stops at its fact (applied), whether its markers are still there or not;
- a crash inside a pass leaves facts with `markers_at` and some of their markers already gone: the next pass
  unsets the rest (unsetting a missing field changes nothing); no value is touched, only marker fields;
- the one writer a missing marker could mislead is a delivery that read the fact as pending and still has guarded
  updates to make. It read the fact before it was marked `applied` (or before a recovery pass re-armed it), i.e.
  before `markers_at`; so it would have to be stalled between that read and its update for longer than the grace
  period (`KOONTO_MARKER_GRACE_SECONDS`, an hour by default; a delivery is redelivered after 30 s and a handler
  takes milliseconds). The markers on the counters are thus bounded by the events of the last grace period and
  a pass interval, not by the history.
"""

from __future__ import annotations

from dataclasses import dataclass

from koonto.reporting.store.read_models import MARKERS_AT, ReadModels, event_marker
from koonto.shared.mongo import Document, epoch_ms

BATCH = 500  # facts per pass step


@dataclass
class Compacted:
    facts: int = 0  # applied facts whose markers were removed
    counter_writes: int = 0  # `$unset`s written
    finished: int = 0  # pending facts finished


async def compact(
    models: ReadModels, older_than_ms: int, *, batch: int = BATCH, now_ms: int | None = None
) -> Compacted:
    """Remove the markers of every fact with `markers_at` older than `older_than_ms` (see the module docstring)."""
    cutoff = (epoch_ms() if now_ms is None else now_ms) - older_than_ms
    done = Compacted()
    finished: set[str] = set()  # re-armed by this pass: left for a later one (whatever `now_ms` says)
    while True:
        found = models.facts.find({MARKERS_AT: {"$lte": cutoff}}, {"applied": 1, "plan": 1})
        facts = [f async for f in found.sort(MARKERS_AT, 1).limit(batch + len(finished)) if f["_id"] not in finished]
        if not facts:
            return done
        applied = [f for f in facts if f.get("applied")]
        for fact in facts:
            if not fact.get("applied"):
                await models.finish(str(fact["_id"]), fact.get("plan") or [])
                finished.add(fact["_id"])
                done.finished += 1
        done.counter_writes += await _unset_markers(models, applied)
        for fact in applied:  # `$in` differs across stores for updates: one `_id` write per fact
            await models.facts.update_one({"_id": fact["_id"]}, {"$unset": {MARKERS_AT: ""}})
        done.facts += len(applied)


async def _unset_markers(models: ReadModels, facts: list[Document]) -> int:
    by_counter: dict[str, tuple[str, str, dict[str, str]]] = {}
    for fact in facts:
        marker = event_marker(str(fact["_id"]))
        for entry in fact.get("plan") or []:
            by_counter.setdefault(entry["id"], (entry["metric"], entry["day"], {}))[2][marker] = ""
    for counter_id, (metric, day, markers) in by_counter.items():
        await models.counter_collection(metric, day).update_one({"_id": counter_id}, {"$unset": markers})
    return len(by_counter)
