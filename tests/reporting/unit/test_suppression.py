"""Small-number suppression: for arbitrary counts no published cell is 1-4, and no hidden cell can be worked out
from the published total of its row or column.

The attack is written here again, independently of `domain.suppression`: for each hidden cell of a row (or
column) every value it could take is tried, and a value stands if the other hidden cells of that row can make up
the rest within what their flags tell (0-4 for `small`, at least 5 for `secondary`)."""

from __future__ import annotations

from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from koonto.reporting.domain.suppression import SECONDARY, SMALL, TOTAL, Equation, grid_equations, protect

CAP = 100_000  # no cell of the generated grids comes near this: "at least 5" is tried up to here


def grid_values(cells: list[list[int]]) -> dict[Hashable, int]:
    values: dict[Hashable, int] = {}
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            values[(r, c)] = value
        values[(r, TOTAL)] = sum(row)
    for c in range(len(cells[0])):
        values[(TOTAL, c)] = sum(row[c] for row in cells)
    values[(TOTAL, TOTAL)] = sum(map(sum, cells))
    return values


def possible(status: str, value: int) -> range:
    if status == SMALL:
        return range(0, 5)
    if status == SECONDARY:
        return range(5, CAP)
    return range(value, value + 1)


def values_a_reader_cannot_exclude(
    key: Hashable, equation: Equation, values: dict[Hashable, int], status: dict[Hashable, str]
) -> set[int]:
    """Brute force, up to two values besides the true one: x is possible for `key` when the other terms can take
    values (each within its own possible range) that make sum(parts) - total = 0."""
    sign = {k: 1 for k in equation.parts} | {equation.total: -1}
    others = [k for k in sign if k != key]
    ranges = {k: possible(status[k], values[k]) for k in others}
    low = sum(ranges[k][0] if sign[k] > 0 else -ranges[k][-1] for k in others)
    high = sum(ranges[k][-1] if sign[k] > 0 else -ranges[k][0] for k in others)
    left: set[int] = set()
    for x in possible(status[key], values[key]):
        if low <= -sign[key] * x <= high:
            left.add(x)
        if len(left) >= 2 and x >= values[key]:
            break
    return left


counts = st.one_of(st.integers(0, 6), st.integers(0, 40))
grids = st.integers(1, 7).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda cols: st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=rows, max_size=rows)
    )
)


@settings(max_examples=400, deadline=None)
@given(grids)
def test_no_published_cell_is_small_and_no_hidden_cell_follows_from_its_row_or_column(cells: list[list[int]]) -> None:
    rows, cols = range(len(cells)), range(len(cells[0]))
    values = grid_values(cells)
    equations = grid_equations(list(rows), list(cols))
    status = protect(values, equations)
    for key, value in values.items():
        if status[key] == "published":
            assert not 0 < value < 5, (key, value)
        elif status[key] == SMALL:
            assert 0 <= value < 5, (key, value)  # "< 5", truthfully (a zero only where a row needs it)
        else:
            assert value >= 5, (key, value)  # the flag "secondary" tells a reader at least 5, truthfully
    for equation in equations:
        for key in (equation.total, *equation.parts):
            if status[key] != "published":
                left = values_a_reader_cannot_exclude(key, equation, values, status)
                assert values[key] in left and len(left) >= 2, (key, equation, left)


def test_a_single_small_cell_beside_a_published_total_takes_a_second_cell_with_it() -> None:
    values = grid_values([[3, 10, 12], [20, 30, 40]])
    status = protect(values, grid_equations([0, 1], [0, 1, 2]))
    assert status[(0, 0)] == SMALL
    hidden_in_row = [c for c in range(3) if status[(0, c)] != "published"]
    hidden_in_column = [r for r in range(2) if status[(r, 0)] != "published"]
    assert len(hidden_in_row) >= 2 and len(hidden_in_column) >= 2
    assert status[(1, 1)] == "published" or status[(1, 2)] == "published"  # not everything goes


def test_zeros_and_large_counts_are_published_as_they_are() -> None:
    values = grid_values([[0, 10], [7, 0]])
    status = protect(values, grid_equations([0, 1], [0, 1]))
    assert set(status.values()) == {"published"}


def test_four_beside_four_is_not_given_away_by_their_sum() -> None:
    """4 + 4 = 8: with the total published both would be known, so the total goes too."""
    values = grid_values([[4, 4, 0]])
    status = protect(values, grid_equations([0], [0, 1, 2]))
    row = Equation((0, TOTAL), ((0, 0), (0, 1), (0, 2)))
    assert len(values_a_reader_cannot_exclude((0, 0), row, values, status)) >= 2


# -- several regions: each region's open data is suppressed on its own, and the other region changes none of it --
HOME, OTHER = "pohjois-savo", "pohjois-karjala"
MUNICIPALITIES = {HOME: ["kuopio", "iisalmi", "varkaus"], OTHER: ["joensuu", "lieksa"]}
region_rows = st.lists(
    st.tuples(st.sampled_from([HOME, OTHER]), st.integers(0, 2), st.integers(1, 12), st.integers(0, 9),
              st.sampled_from(["ideas", "sessions", "events_held"])),
    max_size=40,
)


def counter_rows(events: list[tuple[str, int, int, int, str]], *, scoped_keys: bool) -> list[dict[str, object]]:
    """Month counters as the read models hold them (`scoped_keys`: the other region's municipality carries it)."""
    from koonto.reporting.domain.model import scoped

    out: list[dict[str, object]] = []
    for region, index, month, n, metric in events:
        place = MUNICIPALITIES[region][index % len(MUNICIPALITIES[region])]
        place = scoped(place, region if scoped_keys and region != HOME else None)
        out.append({"metric": metric, "day": f"2026-{month:02d}", "municipality": place, "key": "training",
                    "n": n, "participants": n})
    return out


@settings(max_examples=200, deadline=None)
@given(region_rows)
def test_each_region_and_both_together_are_suppressed_on_their_own_and_keep_exact_totals(
    events: list[tuple[str, int, int, int, str]],
) -> None:
    from datetime import date

    from koonto.reporting.domain.opendata import open_data_cells
    from koonto.reporting.domain.regions import rows_of_regions

    today = date(2026, 12, 31)
    stored = counter_rows(events, scoped_keys=True)
    for chosen in ({HOME}, {OTHER}, {HOME, OTHER}):
        places = [m for region in (HOME, OTHER) if region in chosen for m in MUNICIPALITIES[region]]
        cells = open_data_cells(rows_of_regions(stored, frozenset(chosen), HOME), places, ["village"], today)
        alone = open_data_cells(counter_rows([e for e in events if e[0] in chosen], scoped_keys=False), places,
                                ["village"], today)
        assert cells == alone  # the other region's counters change nothing in this one's data
        for cell in cells:
            if cell.status == "published" and cell.indicator != "events_held":
                assert not 0 < cell.value < 5, cell
            if cell.municipality is not None:
                assert cell.municipality in places or cell.municipality in ("other", "region_wide"), cell
        for metric, indicator in (("ideas", "ideas_received"), ("sessions", "advice_sessions")):
            total = next(c for c in cells if c.indicator == indicator and c.quarter is None and c.municipality is None)
            assert total.value == sum(e[3] for e in events if e[0] in chosen and e[4] == metric)  # exact totals
