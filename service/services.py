"""The composition root: the long-lived objects every process of the service shares, built
once from the settings — the database pool, Redis, the business clock, the webhook egress
policy, the sealer and the WeChat client. The API (api/app.py), the worker (worker/main.py)
and the command line each build them here, with the profile of their process; what only
one process needs (the API's rate limiter and token key ring) is added by that process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import structlog
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from domain.webhooks import Allowlist
from integrations.storage import LocalStorage, Storage, media_secret
from integrations.wechat import WeChatClient
from service.settings import Settings
from store.db import Database
from usecases.clock import BusinessClock
from usecases.crypto import Sealer
from usecases.egress import EgressPolicy
from usecases.moderation import ContentChecker

log = structlog.get_logger("bilin.services")


@dataclass(frozen=True)
class Profile:
    """How one kind of process uses the shared services."""

    name: str                    # the pool's application_name, seen in pg_stat_activity
    command_timeout: float | None = None  # None: the settings' (a request's bound)
    # None: BILIN_DB_POOL_MAX; else one connection per delivery slot plus this many for the
    # worker's other loops (relay, jobs, retention, the media sweep).
    extra_connections: int | None = None
    clock_ttl: float = 0.5       # how stale the test clock's offset may be
    counts_rate_limits: bool = False  # says so when Redis is missing (counts per process)

    def pool_max(self, settings: Settings) -> int:
        if self.extra_connections is None:
            return settings.db_pool_max
        return settings.worker_concurrency + self.extra_connections


# A request reads the test clock's offset at most every 0.5 s; the worker on every poll, so
# an advance is acted on within one poll. Its statements may run as long as a job may.
API = Profile("bilin", counts_rate_limits=True)
WORKER_JOB_SLOTS = 4
WORKER = Profile("bilin-worker", command_timeout=60.0, extra_connections=WORKER_JOB_SLOTS + 4, clock_ttl=0)


@dataclass
class Services:
    settings: Settings
    db: Database
    redis: Redis | None
    clock: BusinessClock
    egress: EgressPolicy
    sealer: Sealer
    wechat: WeChatClient
    storage: Storage
    content: ContentChecker  # msgSecCheck of residents' text (BILIN_CONTENT_CHECK)

    @classmethod
    def build(cls, settings: Settings, profile: Profile = API) -> Services:
        if not settings.database_url:
            raise RuntimeError("DATABASE_URL is required (the run command sets one up)")
        redis = None
        if settings.redis_url:
            # No client-side retries: redis-py would otherwise retry a refused connection for
            # seconds, and the rate limiter has its own fallback for an unreachable Redis.
            redis = Redis.from_url(settings.redis_url, socket_timeout=0.25,
                                   socket_connect_timeout=0.25, retry=Retry(NoBackoff(), 0))
        elif profile.counts_rate_limits:
            log.warning("redis_not_configured",
                        fallback="in-process rate limits: correct for a single process only")
        sealer = Sealer(settings.data_key_bytes)
        wechat = WeChatClient(settings.wechat_api_base, timeout=settings.wechat_timeout, redis=redis)
        return cls(
            settings=settings,
            db=Database(settings.database_url, min_size=settings.db_pool_min, max_size=profile.pool_max(settings),
                        connect_timeout=settings.db_connect_timeout,
                        command_timeout=profile.command_timeout or settings.db_command_timeout,
                        acquire_timeout=settings.db_acquire_timeout, application_name=profile.name),
            redis=redis,
            clock=BusinessClock(enabled=settings.test_clock_enabled, ttl=profile.clock_ttl),
            egress=EgressPolicy(guarded=settings.webhook_guard,
                                allowlist=Allowlist.parse(settings.webhook_allowlist)),
            sealer=sealer,
            wechat=wechat,
            storage=storage_for(settings),
            content=ContentChecker(wechat, sealer, enabled=settings.content_check),
        )

    async def start(self) -> None:
        await self.db.connect()

    async def stop(self) -> None:
        await self.wechat.aclose()
        await self.db.close()
        if self.redis is not None:
            await self.redis.aclose()

    async def redis_ok(self) -> bool:
        if self.redis is None:
            return False
        try:
            return bool(await self.redis.ping())
        except Exception:
            return False


def storage_for(settings: Settings) -> Storage:
    """The bucket when one is configured, else the local directory."""
    if settings.s3_bucket:
        from integrations.s3 import S3Settings, S3Storage  # boto3 only where a bucket is used

        return S3Storage(S3Settings(bucket=settings.s3_bucket, endpoint=settings.s3_endpoint,
                                    region=settings.s3_region, access_key=settings.s3_access_key,
                                    secret_key=settings.s3_secret_key,
                                    public_endpoint=settings.s3_public_endpoint))
    return LocalStorage(Path(settings.media_dir), media_secret(settings.data_key_bytes), settings.public_url)
