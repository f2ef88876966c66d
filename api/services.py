"""What the API process holds: the shared services (service/services.py), plus what only
HTTP needs — the rate limiter and the token key ring. Built once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass, fields

import structlog
from litestar import Request

from api.auth.tokens import KeyRing
from api.conventions.ratelimit import RateLimiter
from service.services import API, Services
from service.settings import Settings, UnsafeConfiguration
from store import clients
from store.db import UNAVAILABLE_ERRORS
from usecases.crypto import digest
from usecases.demo import DEVELOPMENT_SECRETS

log = structlog.get_logger("bilin.services")


@dataclass
class ApiServices(Services):
    limiter: RateLimiter | None = None
    keyring: KeyRing | None = None

    @classmethod
    def for_api(cls, settings: Settings) -> ApiServices:
        shared = Services.build(settings, API)
        return cls(**{f.name: getattr(shared, f.name) for f in fields(Services)},
                   limiter=RateLimiter(shared.redis),
                   keyring=KeyRing(settings.signing_keys, settings.active_kid, settings.access_token_ttl))

    async def start(self) -> None:
        await super().start()
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


def services_of(request: Request) -> ApiServices:
    return request.app.state.services
