"""Rate limits counted per process and reconciled with Redis in batches
(api/conventions/ratelimit.py), against a brute-force model — one shared count, incremented
per request — with Redis played by a dict: one process alone counts exactly; several never
refuse a request the shared count would admit, and admit fewer than a batch per process
beyond it; Redis never holds more than the requests made."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from api.conventions.ratelimit import MAX_BATCH, Bucket, RateLimiter, batch_size
from service.settings import RateLimit


class DictRedis:
    """The sync script's semantics over a dict (INCRBY each key by its pending hits)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.calls = 0

    def register_script(self, _source: str):
        async def run(keys: list[str], args: list[int]) -> list[int]:
            self.calls += 1
            out = []
            for i, key in enumerate(keys):
                self.counts[key] = self.counts.get(key, 0) + int(args[2 * i])
                out.append(self.counts[key])
            return out
        return run


def _hits(limiters: list[RateLimiter], order: list[int], quota: int) -> list[tuple[int, int, bool]]:
    """(true count so far, count the process reported, refused) per request, in order."""
    bucket = Bucket("client", "cli_1", RateLimit(quota, 3600))

    async def run() -> list[tuple[int, int, bool]]:
        seen = []
        for n, who in enumerate(order, start=1):
            [state] = await limiters[who].hit([bucket])
            seen.append((n, state.count, state.exceeded))
        return seen
    return asyncio.run(run())


@settings(max_examples=200, deadline=None)
@given(quota=st.integers(1, 400), requests=st.integers(1, 600))
def test_one_process_counts_exactly(quota, requests):
    redis = DictRedis()
    for true, reported, refused in _hits([RateLimiter(redis)], [0] * requests, quota):
        assert reported == true and refused == (true > quota)
    assert sum(redis.counts.values()) <= requests


runs = st.lists(st.tuples(st.integers(0, 3), st.integers(1, 120)), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(quota=st.integers(1, 400), order=st.one_of(
    st.lists(st.integers(0, 3), min_size=1, max_size=600),
    runs.map(lambda rs: [who for who, n in rs for _ in range(n)])))  # long runs: stale views
def test_several_processes_stay_within_the_stated_tolerance(quota, order):
    redis = DictRedis()
    limiters = [RateLimiter(redis) for _ in range(4)]
    admitted = 0
    for true, reported, refused in _hits(limiters, order, quota):
        assert reported <= true  # a process never counts a request that was not made
        if refused:
            assert true > quota  # never refused where one shared count would admit
        else:
            admitted += 1
    # each process admits fewer than a batch between two looks at the shared count
    assert admitted <= quota + len(limiters) * (MAX_BATCH - 1)
    assert sum(redis.counts.values()) <= len(order)


def test_busy_buckets_reach_redis_once_a_batch():
    redis = DictRedis()
    _hits([RateLimiter(redis)], [0] * 3200, 1_000_000)
    assert redis.calls <= 3200 // MAX_BATCH + 2
    assert batch_size(30, 1) == 1 and batch_size(1_000_000, 10) == MAX_BATCH
