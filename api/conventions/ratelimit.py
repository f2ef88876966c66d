"""Rate limits per client, per person and per address, counted atomically in Redis so that
every worker process shares one count, with the headers of
draft-ietf-httpapi-ratelimit-headers-10 (``RateLimit-Policy`` and ``RateLimit``).

Fixed windows, because a single INCR per bucket is atomic and one round trip serves every
bucket of a request. When Redis is unreachable the limiter counts in this process instead
(each worker then limits on its own) and tries Redis again after a short pause, so an outage
costs no request more than one short timeout."""

from __future__ import annotations

import time
from dataclasses import dataclass

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from service.settings import RateLimit

log = structlog.get_logger("bilin.ratelimit")

# INCR every bucket key and set its expiry on first use; return count and ms to expiry.
_HIT_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[i]) end
  out[#out + 1] = count
  out[#out + 1] = redis.call('PTTL', key)
end
return out
"""
_RETRY_REDIS_AFTER = 1.0


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
        self._hit = redis.register_script(_HIT_SCRIPT) if redis is not None else None
        self._redis_down_until = 0.0
        self._local: dict[str, tuple[float, int]] = {}  # key -> (window end, count)
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
        counts = await self._count(keys, [b.limit.window_seconds for b in buckets], window_ends, now)
        return [
            BucketState(bucket, count, max(1, int(end - now + 0.999)))
            for bucket, count, end in zip(buckets, counts, window_ends)
        ]

    async def _count(self, keys: list[str], windows: list[int], window_ends: list[float],
                     now: float) -> list[int]:
        if self.redis is not None and time.monotonic() >= self._redis_down_until:
            try:
                # EVALSHA with a fallback to EVAL, so the script travels once, not per request
                reply = await self._hit(keys=keys, args=[w * 1000 + 1000 for w in windows])
                if self._redis_down_until:
                    log.info("rate_limit_redis_recovered")
                    self._redis_down_until = 0.0
                return [int(reply[i]) for i in range(0, len(reply), 2)]
            except (RedisError, OSError) as error:
                if not self._redis_down_until:
                    log.warning("rate_limit_redis_unavailable", error=type(error).__name__,
                                fallback="per-process counting")
                self._redis_down_until = time.monotonic() + _RETRY_REDIS_AFTER
        return self._count_locally(keys, window_ends, now)

    def _count_locally(self, keys: list[str], window_ends: list[float], now: float) -> list[int]:
        if now - self._last_pruned > 60:  # forget windows that have ended
            self._local = {k: v for k, v in self._local.items() if v[0] > now}
            self._last_pruned = now
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
