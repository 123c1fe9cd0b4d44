"""Comparing the read models of two paths (live and rebuilt): the numbers and facts must be equal; the bookkeeping
of the recounts (`store.recounts`) may differ, as the two paths see a case's dates change in different steps."""

from __future__ import annotations

from typing import Any

from koonto.reporting.domain import recount
from koonto.reporting.domain.periods import PACK
from koonto.reporting.store import VALUE_FIELDS, event_marker
from koonto.reporting.store.recounts import MOVE_PREFIX

COMPARED = ("counters", "monthly", "years", "funnel", "funnel_monthly", "funnel_years", "advised", "advised_daily",
            "advised_monthly", "cases", "calls", "parked")
COUNTERS = COMPARED[:9]  # the counters and the markers
RECOUNT_METRICS = frozenset({
    *recount.FUNNEL_METRICS, recount.COHORT, recount.TO_CONTACT, recount.TO_SUBMITTED, recount.ADVISED_YEAR,
    recount.ADVISED_YEAR_ALL, recount.ADVISED_EVER, recount.ADVISED_EVER_ALL,
})
MOVE_MARKER = event_marker(MOVE_PREFIX)  # the marker field of every move starts so


def comparable(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The documents without the recounts' bookkeeping: the revision of a move and the markers of the moves (the
    live path moves a case once per event that changes it, a rebuild once per window), and the counters a move
    left at zero (the live path may have counted a case at a date a later event replaced; in a year document, the
    fields of such a key)."""
    out: dict[str, dict[str, Any]] = {}
    for doc_id, doc in docs.items():
        if doc.get("metric") in RECOUNT_METRICS:
            doc = {k: v for k, v in doc.items() if v or k.partition(PACK)[0] not in VALUE_FIELDS}
            if not any(k.partition(PACK)[0] in VALUE_FIELDS for k in doc):
                continue
        out[doc_id] = {k: v for k, v in doc.items() if k != "counted_rev" and not k.startswith(MOVE_MARKER)}
    return out
