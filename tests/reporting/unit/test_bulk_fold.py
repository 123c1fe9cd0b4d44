"""The rebuild's fold sums a window's increments straight into its counters: it must give exactly the counters the
live path's plan names (`merge_increments(with_month_rollups(...))`: daily, month roll-up and year document)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from koonto.reporting.domain.model import Increment
from koonto.reporting.domain.periods import with_month_rollups
from koonto.reporting.store.bulk_recounts import BulkRecounts
from koonto.reporting.store.read_models import merge_increments

increments = st.lists(
    st.builds(
        Increment,
        metric=st.sampled_from(["ideas", "themes", "advised", "funnel_d", "to_submitted"]),
        day=st.sampled_from(["2026-01-31", "2026-02-01", "2025-12-31", "2026-02", "2026"]),
        municipality=st.sampled_from(["297", "749", ""]),
        key=st.sampled_from(["", "a.b", "100%", "x"]),
        values=st.dictionaries(st.sampled_from(["n", "sum"]), st.integers(-3, 3), min_size=1, max_size=2),
    ),
    max_size=30,
)


@given(increments, increments)
def test_the_fold_of_a_window_equals_the_live_plan(first: list[Increment], second: list[Increment]) -> None:
    window = BulkRecounts.__new__(BulkRecounts)
    window._counters = {}
    window.fold(first)
    window.fold(second)
    plan = merge_increments(with_month_rollups([*first, *second]))
    assert window._counters == {entry["id"]: {k: v for k, v in entry.items() if k != "id"} for entry in plan}
