"""The long-lived objects a running app holds: settings, the database, Redis, the rate
limiter, the token key ring, the sealer and the WeChat client. Built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from litestar import Request
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from api.auth.tokens import KeyRing
from api.conventions.ratelimit import RateLimiter
from integrations.wechat import WeChatClient
from service.settings import Settings, UnsafeConfiguration
from store import clients
from store.db import UNAVAILABLE_ERRORS, Database
from usecases.crypto import Sealer, digest
from usecases.demo import DEVELOPMENT_SECRETS

log = structlog.get_logger("bilin.services")


@dataclass
class Services:
    settings: Settings
    db: Database
    redis: Redis | None
    limiter: RateLimiter
    keyring: KeyRing
    sealer: Sealer
    wechat: WeChatClient

    @classmethod
    def build(cls, settings: Settings) -> Services:
        if not settings.database_url:
            raise RuntimeError("DATABASE_URL is required (the run command sets one up)")
        redis = None
        if settings.redis_url:
            # No client-side retries: redis-py would otherwise retry a refused connection for
            # seconds, and the rate limiter has its own fallback for an unreachable Redis.
            redis = Redis.from_url(settings.redis_url, socket_timeout=0.25,
                                   socket_connect_timeout=0.25, retry=Retry(NoBackoff(), 0))
        else:
            log.warning("redis_not_configured",
                        fallback="in-process rate limits: correct for a single process only")
        return cls(
            settings=settings,
            db=Database(settings.database_url, min_size=settings.db_pool_min,
                        max_size=settings.db_pool_max, connect_timeout=settings.db_connect_timeout,
                        command_timeout=settings.db_command_timeout,
                        acquire_timeout=settings.db_acquire_timeout),
            redis=redis,
            limiter=RateLimiter(redis),
            keyring=KeyRing(settings.signing_keys, settings.active_kid, settings.access_token_ttl),
            sealer=Sealer(settings.data_key_bytes),
            wechat=WeChatClient(settings.wechat_api_base, timeout=settings.wechat_timeout, redis=redis),
        )

    async def start(self) -> None:
        await self.db.connect()
        if self.settings.production:
            await self._refuse_development_secrets()

    async def _refuse_development_secrets(self) -> None:
        """Demo data seeded in development must not keep working once the same database is
        served in production: refuse to start while a client has a published secret."""
        try:
            async with self.db.connection() as conn:
                found = await clients.active_with_secret_digests(conn, [digest(s) for s in DEVELOPMENT_SECRETS])
        except UNAVAILABLE_ERRORS as error:
            # Started before the database: the token endpoint refuses those secrets anyway.
            log.warning("development_secret_check_skipped", error=type(error).__name__)
            return
        if found:
            await self.db.close()
            raise UnsafeConfiguration(
                "refusing to start in production: these clients still have the development secret "
                f"(disable them or give them new secrets): {', '.join(found)}")

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


def services_of(request: Request) -> Services:
    return request.app.state.services
