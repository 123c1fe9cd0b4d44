"""Idea references: short, human, unique and sequential per year, e.g. KOO-2026-0042.

Numbers are handed out from blocks (hi-lo): a replica reserves the next `size` numbers of the year with one
counter update and gives them out from memory, so most ideas cost one store write (the insert) instead of two;
numbers stay unique across replicas because two replicas never reserve the same block; where a store lost a
counter update and two replicas do hold one block, the unique index on the reference refuses the second use of a
number and that replica tries its next one (a number is passed over only when it is taken). How the blocks stay
unnoticeable:

- **The block follows the pace**: its size is the number of ideas this replica took in the last
  `PACE_WINDOW_SECONDS`, between 1 and the configured maximum. One idea now and then reserves one number, exactly
  the old sequence; a deadline rush reserves up to the maximum (20 by default), where one in twenty ideas pays
  the counter update.
- **Nothing taken is lost**: a number taken for an idea that turns out to be a duplicate goes back to the front.
- **A stopping replica returns what it holds**: if nobody reserved after it, the counter is simply set back;
  otherwise its numbers are recorded as a returned range, and the next reservation of any replica takes that
  range first. Only a replica that dies without stopping (killed) leaves numbers unused: at most one block's rest.
- **Order**: during a rush two replicas hand out two blocks at once (KOO-2026-0041 may come a moment after
  0061); each replica's numbers rise, and staff lists sort by the submission time, not the number.
- **Year boundary**: the counter is per year (Helsinki time, `counter_key`); the first idea of a new year reserves
  from the new year's counter, and what is left of the old year's block is returned as at a stop.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

REFERENCE_PATTERN = re.compile(r"^[A-Z]{2,6}-\d{4}-\d{4,}$")
PACE_WINDOW_SECONDS = 10.0


def format_reference(prefix: str, year: int, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("sequences start at 1")
    return f"{prefix.upper()}-{year}-{sequence:04d}"


def counter_key(prefix: str, year: int) -> str:
    return f"reference:{prefix.upper()}:{year}"


@dataclass
class NumberBlock:
    """The numbers of one counter a replica holds, as inclusive ranges in the order they are handed out, and the
    times of its recent takes (for the size of its next reservation). Pure: the caller brings the time."""

    max_size: int
    ranges: deque[tuple[int, int]] = field(default_factory=deque)
    takes: deque[float] = field(default_factory=deque)

    def take(self, now: float) -> int | None:
        """The next number held, or None when the block is used up (reserve `next_size` more)."""
        self._pace(now)
        if not self.ranges:
            return None
        start, end = self.ranges.popleft()
        if start < end:
            self.ranges.appendleft((start + 1, end))
        self.takes.append(now)
        return start

    def give_back(self, number: int) -> None:
        """A number taken and not used (the idea was a duplicate): it is the next one handed out."""
        self.ranges.appendleft((number, number))

    def add(self, start: int, end: int) -> None:
        if start <= end:
            self.ranges.append((start, end))

    def next_size(self, now: float) -> int:
        self._pace(now)
        return max(1, min(self.max_size, len(self.takes)))

    def release(self) -> list[tuple[int, int]]:
        """Everything held, merged into ranges (to return to the store); the block is empty afterwards."""
        merged: list[tuple[int, int]] = []
        for start, end in sorted(self.ranges):
            if merged and start <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        self.ranges.clear()
        return merged

    def _pace(self, now: float) -> None:
        while self.takes and self.takes[0] < now - PACE_WINDOW_SECONDS:
            self.takes.popleft()
