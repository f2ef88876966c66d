"""The rate limit, counted before routing: per client and per person for callers with a token,
per address for the token endpoint and for anonymous callers. Every answer carries the
``RateLimit`` headers; past the quota the answer is 429 with ``Retry-After``."""

from __future__ import annotations

from typing import Any

from api.conventions.ratelimit import Bucket, RateLimiter, header_values
from api.edge.asgi import ASGIApp, adding_headers, send_problem
from service.settings import Settings

TOKEN_PATH = "/v1/auth/token"
# Probes answer the orchestrator however busy the service is. /metrics is counted like any
# anonymous request: a scraper needs a few a minute, a token guesser far more.
_UNLIMITED_PATHS = ("/healthz", "/readyz")


def _buckets(scope: dict, settings: Settings) -> list[Bucket]:
    principal = scope.get("user")
    address = (scope.get("client") or ("unknown",))[0]
    if scope["path"] == TOKEN_PATH:
        return [Bucket("token", address, settings.rate_limit_token)]
    if principal is None:
        return [Bucket("anonymous", address, settings.rate_limit_anonymous)]
    buckets = [Bucket("client", principal.client_id, settings.rate_limit_client)]
    if principal.person_id:
        buckets.append(Bucket("person", principal.person_id, settings.rate_limit_person))
    return buckets


def rate_limit(app: ASGIApp, limiter: RateLimiter, settings: Settings) -> ASGIApp:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_UNLIMITED_PATHS):
            await app(scope, receive, send)
            return
        states = await limiter.hit(_buckets(scope, settings))
        policy, current = header_values(states)
        send = adding_headers(send, [(b"ratelimit-policy", policy.encode()), (b"ratelimit", current.encode())])
        limited_by = next((s for s in states if s.exceeded), None)
        if limited_by is not None:
            await send_problem(scope, send, "rate_limited", [(b"retry-after", str(limited_by.reset_seconds).encode())])
            return
        await app(scope, receive, send)

    return handle
