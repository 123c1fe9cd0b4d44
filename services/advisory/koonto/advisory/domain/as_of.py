"""The pipeline as it stood at the end of a past day, from each case's own history (its timeline).

Every stage move, the opening and every assignment is a timeline entry written with the case in the same
write, stamped with the moment it happened (`domain.case.timeline_entry`), so the case's state at a moment is
the last entry of each kind before it: its stage (`opened` puts it in `idea`, `stage` moves it to `to_stage`),
its advisor (`assigned`) and its call (a move that names one). A case with no entry before the moment did not
exist yet. The view is read-only by design: nothing on it acts on the case as it is now.

The end of a day is the next day's 00.00 in Helsinki; a day that has not ended has no as-of view (it is the
current board).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from koonto.shared.clock import DayRefused, as_utc, end_of_day, ended_day

__all__ = ["CaseAsOf", "DayRefused", "case_as_of", "end_of_day", "ended_day"]


@dataclass(frozen=True)
class CaseAsOf:
    stage: str
    advisor_id: str | None
    call_id: str | None


def _moment(value: Any) -> datetime | None:
    """An entry's time as the store handed it back (a datetime, naive on some stores, or text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value) if isinstance(value, datetime) else None


def case_as_of(timeline: dict[str, Any], moment: datetime) -> CaseAsOf | None:
    """The case's stage, advisor and call just before `moment`, from its timeline; None: not opened yet."""
    entries = []
    for key, entry in (timeline or {}).items():
        at = _moment(entry.get("at"))
        if at is not None and at < moment:
            entries.append((at, str(key), entry))
    stage: str | None = None
    advisor_id: str | None = None
    call_id: str | None = None
    for _, _, entry in sorted(entries, key=lambda item: (item[0], item[1])):
        kind = entry.get("kind")
        if kind == "opened":
            stage = str(entry.get("stage") or "idea")
        elif kind == "stage" and entry.get("to_stage"):
            stage = str(entry["to_stage"])
            call_id = entry.get("call_id")  # as the move set it on the case
        elif kind == "assigned":
            advisor_id = entry.get("advisor_id")
    return CaseAsOf(stage, advisor_id, call_id) if stage is not None else None
