"""The service as production runs it (``python -m api.cli serve``): which address a request
comes from (X-Forwarded-For only from configured proxies) and how it stops (SIGTERM)."""

from __future__ import annotations

import random

import httpx
import pytest
import redis

from tests.support.server import running_service

pytestmark = pytest.mark.xdist_group("serving")

UNLIMITED = "1000000/60"
REDIS_DB = 11  # its own Redis database: the token bucket of 127.0.0.1 is shared by other tests


def isolated_redis(redis_url: str) -> str:
    url = f"{redis_url.rstrip('/').rsplit('/', 1)[0] if redis_url.count('/') > 2 else redis_url}/{REDIS_DB}"
    with redis.Redis.from_url(url) as direct:
        for key in direct.scan_iter("bilin:rl:*"):
            direct.delete(key)
    return url


def env_for(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "REDIS_URL": isolated_redis(redis_url),
            "BILIN_RATE_LIMIT_TOKEN": "5/3600", "BILIN_RATE_LIMIT_ANONYMOUS": UNLIMITED,
            "BILIN_RATE_LIMIT_CLIENT": UNLIMITED, "BILIN_RATE_LIMIT_PERSON": UNLIMITED, **extra}


def wrong_secret(base_url: str, forwarded_for: str) -> int:
    return httpx.post(f"{base_url}/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": "cli_nobody", "client_secret": "sk_guess"},
        headers={"X-Forwarded-For": forwarded_for}, timeout=10).status_code


def addresses(count: int) -> list[str]:
    return [f"198.51.100.{n}" for n in random.sample(range(1, 255), count)]


def test_forwarded_for_from_an_untrusted_peer_does_not_pick_the_bucket(database_url, redis_url):
    with running_service(env_for(database_url, redis_url), serve_command=True) as base_url:
        statuses = [wrong_secret(base_url, address) for address in addresses(8)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429] * 3, statuses


def test_a_trusted_proxy_forwards_the_callers_address(database_url, redis_url):
    env = env_for(database_url, redis_url, BILIN_TRUSTED_PROXIES="127.0.0.1/32,::1")
    with running_service(env, serve_command=True) as base_url:
        rotating = [wrong_secret(base_url, address) for address in addresses(8)]
        one = f"203.0.113.{random.randint(1, 254)}"
        same = [wrong_secret(base_url, one) for _ in range(7)]
    assert rotating == [401] * 8, rotating  # each caller its own bucket
    assert same[:4] == [401] * 4 and same[-1] == 429, same  # one caller, one bucket
