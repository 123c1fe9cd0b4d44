"""The per-replica token bucket behind the public forms' rate limit (pure logic, a clock passed in)."""

from __future__ import annotations

import pytest

from koonto.intake.domain.rate_limit import TokenBuckets


def test_a_client_gets_a_burst_of_the_limit_then_waits_for_the_next_token() -> None:
    buckets = TokenBuckets(capacity=3, window_seconds=60)  # one token every 20 s
    assert [buckets.take("a", 0.0) for _ in range(3)] == [None, None, None]
    assert buckets.take("a", 0.0) == 20
    assert buckets.take("a", 15.0) == 5  # trying early takes nothing and does not push the wait further
    assert buckets.take("a", 20.0) is None
    assert buckets.take("a", 20.0) == 20


def test_clients_are_counted_apart_and_an_idle_client_is_full_again() -> None:
    buckets = TokenBuckets(capacity=2, window_seconds=10)
    assert buckets.take("a", 0.0) is None and buckets.take("a", 0.0) is None
    assert buckets.take("a", 0.0) is not None
    assert buckets.take("b", 0.0) is None
    assert [buckets.take("a", 1000.0) for _ in range(3)][:2] == [None, None]


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    buckets = TokenBuckets(capacity=100, window_seconds=1)  # a token every 10 ms
    for _ in range(100):
        assert buckets.take("a", 0.0) is None
    assert buckets.take("a", 0.0) == 1


def test_full_buckets_are_forgotten_and_memory_is_bounded() -> None:
    buckets = TokenBuckets(capacity=2, window_seconds=10, max_clients=3)
    buckets.take("old", 0.0)
    buckets.take("new", 8.0)
    assert buckets.forget_full(10.0) == 1 and len(buckets) == 1  # "old" refilled by t=10, "new" not yet
    for client in ("c1", "c2", "c3", "c4"):
        buckets.take(client, 9.0)
    assert len(buckets) == 3


def test_a_limit_needs_a_capacity_and_a_window() -> None:
    with pytest.raises(ValueError):
        TokenBuckets(capacity=0, window_seconds=10)
    with pytest.raises(ValueError):
        TokenBuckets(capacity=1, window_seconds=0)
