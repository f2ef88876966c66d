"""Rate limits per client, per person and per address, shared by every worker process through
Redis, with the headers of draft-ietf-httpapi-ratelimit-headers-10 (``RateLimit-Policy`` and
``RateLimit``).

Fixed windows. Each process counts a bucket's hits itself and reconciles with Redis in
batches (one INCRBY of its pending hits, which returns the shared count), so a busy bucket
costs a Redis round trip per batch, not per request. How much a process may hold back shrinks
as the quota nears (``batch_size``): far from it, up to 32 hits or one second; within 16
batches of it, every hit goes to Redis, so near the limit the count is exact, as it was
with one INCR per request. The tolerance this buys: with W processes, a window can admit
fewer than W × MAX_BATCH hits beyond what one shared count would (each process admits less
than a batch between two looks at the shared count); a refusal is always decided on a count fresh from Redis. A process's pending
hits are also pushed once a second, so the others see them; hits still pending when a window
ends are not counted (it errs towards letting a request through).

When Redis is unreachable the limiter counts in this process instead (each worker then limits
on its own) and tries Redis again after a short pause, so an outage costs no request more than
one short timeout."""

from __future__ import annotations

import time
from dataclasses import dataclass

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from service.settings import RateLimit

log = structlog.get_logger("bilin.ratelimit")

# Add each bucket's pending hits and set its expiry on first use; return the shared counts.
_SYNC_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do
  local added = tonumber(ARGV[2 * i - 1])
  local count = redis.call('INCRBY', key, added)
  if count == added then redis.call('PEXPIRE', key, ARGV[2 * i]) end
  out[#out + 1] = count
end
return out
"""
_RETRY_REDIS_AFTER = 1.0
MAX_BATCH = 32
SYNC_EVERY_SECONDS = 1.0


def batch_size(quota: int, count: int) -> int:
    """How many hits a process may count before it asks Redis again, having seen ``count``
    (its last shared count plus its own since): a sixteenth of what is left, at most
    MAX_BATCH, and 1 (every hit) once fewer than 32 remain."""
    return max(1, min(MAX_BATCH, (quota - count) // 16))


class _Tally:
    """One bucket-window in this process: the shared count last seen, the hits since."""

    __slots__ = ("pending", "seen", "synced_at")

    def __init__(self) -> None:
        self.seen = 0
        self.pending = 0
        self.synced_at = float("-inf")


@dataclass(frozen=True)
class Bucket:
    policy: str
    identity: str
    limit: RateLimit


@dataclass(frozen=True)
class BucketState:
    bucket: Bucket
    count: int
    reset_seconds: int

    @property
    def remaining(self) -> int:
        return max(0, self.bucket.limit.quota - self.count)

    @property
    def exceeded(self) -> bool:
        return self.count > self.bucket.limit.quota


class RateLimiter:
    def __init__(self, redis: Redis | None) -> None:
        self.redis = redis
        self._sync_script = redis.register_script(_SYNC_SCRIPT) if redis is not None else None
        self._redis_down_until = 0.0
        self._tallies: dict[str, tuple[float, _Tally]] = {}  # key -> (window end, tally)
        self._local: dict[str, tuple[float, int]] = {}  # Redis down: key -> (window end, count)
        self._last_pruned = 0.0

    @property
    def degraded(self) -> bool:
        return self.redis is None or time.monotonic() < self._redis_down_until

    async def hit(self, buckets: list[Bucket]) -> list[BucketState]:
        now = time.time()  # rate-limit windows follow the real clock, never the test clock
        keys: list[str] = []
        window_ends: list[float] = []
        for bucket in buckets:
            window = bucket.limit.window_seconds
            index = int(now // window)
            keys.append(f"bilin:rl:{bucket.policy}:{bucket.identity}:{index}")
            window_ends.append((index + 1) * window)
        if now - self._last_pruned > 60:  # forget windows that have ended
            self._tallies = {k: v for k, v in self._tallies.items() if v[0] > now}
            self._local = {k: v for k, v in self._local.items() if v[0] > now}
            self._last_pruned = now
        counts = await self._count(keys, buckets, window_ends)
        return [
            BucketState(bucket, count, max(1, int(end - now + 0.999)))
            for bucket, count, end in zip(buckets, counts, window_ends)
        ]

    async def _count(self, keys: list[str], buckets: list[Bucket], window_ends: list[float]) -> list[int]:
        if self.redis is None or time.monotonic() < self._redis_down_until:
            return self._count_locally(keys, window_ends)
        moment = time.monotonic()
        tallies = []
        due: list[int] = []  # positions whose tally goes to Redis with this hit
        for i, (key, bucket, end) in enumerate(zip(keys, buckets, window_ends)):
            tally = self._tallies.get(key, (end, None))[1]
            if tally is None:
                tally = _Tally()
                self._tallies[key] = (end, tally)
            tally.pending += 1
            tallies.append(tally)
            if (tally.pending >= batch_size(bucket.limit.quota, tally.seen + tally.pending)
                    or moment - tally.synced_at >= SYNC_EVERY_SECONDS):
                due.append(i)
        if due:
            sent = [tallies[i].pending for i in due]
            for i in due:
                tallies[i].pending = 0
            try:
                shared = await self._sync([keys[i] for i in due], sent,
                                          [buckets[i].limit.window_seconds for i in due])
            except (RedisError, OSError) as error:
                if not self._redis_down_until:
                    log.warning("rate_limit_redis_unavailable", error=type(error).__name__,
                                fallback="per-process counting")
                self._redis_down_until = time.monotonic() + _RETRY_REDIS_AFTER
                return self._count_locally(keys, window_ends)  # (the unsent hits are let go)
            if self._redis_down_until:
                log.info("rate_limit_redis_recovered")
                self._redis_down_until = 0.0
            for i, count in zip(due, shared):
                tallies[i].seen = max(tallies[i].seen, count)  # replies may cross: keep the highest
                tallies[i].synced_at = moment
        return [tally.seen + tally.pending for tally in tallies]

    async def _sync(self, keys: list[str], added: list[int], windows: list[int]) -> list[int]:
        """Add pending hits in Redis; the shared counts. EVALSHA with a fallback to EVAL, so
        the script travels once, not per batch."""
        args: list[int] = []
        for n, window in zip(added, windows):
            args += [n, window * 1000 + 1000]
        return [int(c) for c in await self._sync_script(keys=keys, args=args)]

    def _count_locally(self, keys: list[str], window_ends: list[float]) -> list[int]:
        counts = []
        for key, end in zip(keys, window_ends):
            _, count = self._local.get(key, (end, 0))
            self._local[key] = (end, count + 1)
            counts.append(count + 1)
        return counts


def header_values(states: list[BucketState]) -> tuple[str, str]:
    """(RateLimit-Policy, RateLimit) for the buckets this request was counted in."""
    policy = ", ".join(
        f'"{s.bucket.policy}";q={s.bucket.limit.quota};w={s.bucket.limit.window_seconds}'
        for s in states
    )
    current = ", ".join(f'"{s.bucket.policy}";r={s.remaining};t={s.reset_seconds}' for s in states)
    return policy, current
