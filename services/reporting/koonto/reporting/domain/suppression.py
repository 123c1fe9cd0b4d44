"""Small-number suppression of the open data, with secondary suppression that keeps totals from giving it away.

The rule, decided once here (the reporting README and the data dictionary say the same):

- **Primary.** A count from 1 to 4 (`THRESHOLD` = 5) of something that could point at one association or
  person is not published: the CSV says `< 5`, the JSON `null` with `"suppressed": "small"`. A zero points at
  nobody and is published as 0, except where a row would otherwise give its hidden neighbours away (below), so
  `< 5` means 0–4, and a reader cannot take it for at least 1.
- **Secondary.** Totals are published exactly (a total rounded to 5 or 10 still gave a small cell away: with
  the other cells known, a rounded total leaves one possible value for a cell of 1 often enough). Instead, every
  equation *total = sum of its parts* (a row of quarters and its year, a column of municipalities and the
  region) is checked the way a reader would attack it: with everything published, and knowing a `small` cell
  is 0–4 and a `secondary` one at least 5, which values can each hidden cell still take? When one equation
  leaves a hidden cell a single possible value, one more cell of that equation is hidden (`"suppressed":
  "secondary"`, `..` in the CSV; always a cell of at least 5, so the flag stays true): the smallest part that
  makes the equation safe, else the total; when neither is left (every part hidden or zero), a zero of it becomes
  `< 5` as well. This repeats until no equation pins any hidden cell; every step
  hides one more cell, so it ends.

What it does not promise: an attack that solves several equations at once (the whole grid as one linear
system) is not checked; each row and each column is safe on its own, which is what statistical offices' usual
"at least two hidden cells per row and column" rule also gives.

Pure functions: `protect(values, equations)` returns the status of every cell.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

THRESHOLD = 5

Status = Literal["published", "small", "secondary"]
PUBLISHED: Status = "published"
SMALL: Status = "small"
SECONDARY: Status = "secondary"


@dataclass(frozen=True)
class Equation:
    """`total` = the sum of `parts` (cell keys)."""

    total: Hashable
    parts: tuple[Hashable, ...]


def reader_range(value: int, status: Status) -> tuple[float, float]:
    """What a reader of the published data knows of a cell: its value, or the range its flag tells."""
    if status == SMALL:
        return 0, THRESHOLD - 1
    if status == SECONDARY:
        return THRESHOLD, math.inf
    return value, value


def pinned_cells(
    equation: Equation, values: Mapping[Hashable, int], status: Mapping[Hashable, Status]
) -> list[Hashable]:
    """The hidden cells of `equation` whose value a reader can work out from it alone (a single possible value)."""
    terms = [(equation.total, -1), *((part, 1) for part in equation.parts)]  # sum of parts - total = 0
    ranges = {key: reader_range(values[key], status[key]) for key, _ in terms}
    pinned = []
    for key, sign in terms:
        if status[key] == PUBLISHED:
            continue
        # the rest of the equation, sum(sign_i * x_i) over the other terms, lies in [low, high]
        low = sum((ranges[k][0] if s > 0 else -ranges[k][1]) for k, s in terms if k != key)
        high = sum((ranges[k][1] if s > 0 else -ranges[k][0]) for k, s in terms if k != key)
        # sign * x = -(rest)
        can_low, can_high = (-high, -low) if sign > 0 else (low, high)
        own_low, own_high = ranges[key]
        if max(own_low, can_low) == min(own_high, can_high):
            pinned.append(key)
    return pinned


def _safe_with(
    extra: Hashable, equation: Equation, values: Mapping[Hashable, int], status: dict[Hashable, Status]
) -> bool:
    trial = {**status, extra: SECONDARY}
    return not pinned_cells(equation, values, trial)


def _next_to_hide(
    equation: Equation, values: Mapping[Hashable, int], status: dict[Hashable, Status]
) -> tuple[Hashable, Status]:
    candidates = sorted(
        (part for part in equation.parts if status[part] == PUBLISHED and values[part] >= THRESHOLD),
        key=lambda part: (values[part], str(part)),
    )
    total_open = status[equation.total] == PUBLISHED and values[equation.total] >= THRESHOLD
    for part in candidates:
        if _safe_with(part, equation, values, status):
            return part, SECONDARY
    if total_open:
        return equation.total, SECONDARY
    if candidates:
        return candidates[0], SECONDARY
    zeros = [key for key in (*equation.parts, equation.total) if status[key] == PUBLISHED]
    if zeros:  # only zeros are left published: "< 5" is true of a zero too
        return zeros[0], SMALL
    raise AssertionError(f"nothing left to hide in {equation}")


def protect(values: Mapping[Hashable, int], equations: Sequence[Equation]) -> dict[Hashable, Status]:
    """The status of every cell: small ones hidden, and as many more as it takes for no equation to pin one."""
    status: dict[Hashable, Status] = {
        key: (SMALL if 0 < value < THRESHOLD else PUBLISHED) for key, value in values.items()
    }
    changed = True
    while changed:
        changed = False
        for equation in equations:
            if pinned_cells(equation, values, status):
                key, hidden_as = _next_to_hide(equation, values, status)
                status[key] = hidden_as
                changed = True
    return status


TOTAL = "_total"  # the key of a row's or a column's total in a grid


def grid_equations(rows: Sequence[Hashable], columns: Sequence[Hashable]) -> list[Equation]:
    """The equations of a grid with row totals, column totals and a grand total (keys `(row, column)`, `TOTAL`
    standing for the total of either)."""
    equations = [Equation((row, TOTAL), tuple((row, col) for col in columns)) for row in rows]
    equations += [Equation((TOTAL, col), tuple((row, col) for row in rows)) for col in columns]
    equations.append(Equation((TOTAL, TOTAL), tuple((TOTAL, col) for col in columns)))
    equations.append(Equation((TOTAL, TOTAL), tuple((row, TOTAL) for row in rows)))
    return equations
