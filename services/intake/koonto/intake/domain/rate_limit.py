"""The public forms' rate limit: a token bucket per client, kept in this replica's memory.

Each client may send `capacity` requests at once and then one more every `window / capacity` seconds (so never more
than about `capacity` per window, averaged). The buckets live in the memory of ONE replica: with N replicas behind
a load balancer a client can make up to N times the limit, and a restart forgets them. That is the trade-off for
not paying a store round trip (a counter write) on every public POST; the limit only has to stop floods and
scripts, and a flood spread over replicas still meets each replica's limit.
"""

from __future__ import annotations

import math
from collections import OrderedDict


class TokenBuckets:
    def __init__(self, capacity: int, window_seconds: float, max_clients: int = 100_000) -> None:
        if capacity < 1 or window_seconds <= 0:
            raise ValueError("a rate limit needs capacity >= 1 and a positive window")
        self.capacity = float(capacity)
        self.refill_per_second = capacity / window_seconds
        self.max_clients = max_clients
        # client -> (tokens left, when counted); least recently seen first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, client: str, now: float) -> int | None:
        """Take one token: None when the request may go on, else whole seconds until the client may try again.

        `now` is a monotonic clock in seconds. A refused request takes nothing (trying again early does not
        push the next allowed moment further away)."""
        tokens, counted_at = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + max(0.0, now - counted_at) * self.refill_per_second)
        retry_after: int | None = None
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            retry_after = max(1, math.ceil((1.0 - tokens) / self.refill_per_second))
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)  # the longest idle client: the bucket most likely full again
        return retry_after

    def forget_full(self, now: float) -> int:
        """Drop buckets that have refilled completely (forgetting them changes nothing); returns how many."""
        full_after = self.capacity / self.refill_per_second
        forgotten = 0
        while self._buckets:
            client, (_tokens, counted_at) = next(iter(self._buckets.items()))
            if now - counted_at < full_after:
                break  # the rest were seen more recently
            del self._buckets[client]
            forgotten += 1
        return forgotten

    def __len__(self) -> int:
        return len(self._buckets)
