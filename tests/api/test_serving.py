"""The service as production runs it (``python -m service.cli serve``): which address a request
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
        # Quota 5: a sixth try is refused. A few more tries leave room for a Redis answer that
        # misses its 0.25 s timeout on a loaded machine (that try is counted in the process).
        same = [wrong_secret(base_url, one) for _ in range(12)]
    assert rotating == [401] * 8, rotating  # each caller its own bucket
    assert same[:5] == [401] * 5 and 429 in same, same  # one caller, one bucket


def _sign_in_slowly(base_url: str, client_id: str, outcome: dict) -> None:
    try:
        outcome["response"] = httpx.post(f"{base_url}/v1/auth/token", json={
            "grant_type": "wechat_code", "client_id": client_id, "code": "slow"}, timeout=30)
    except httpx.HTTPError as error:
        outcome["response"] = error


def _new_caller(base_url: str) -> str:
    """What a caller arriving during the shutdown meets: refused, or a 503 — never a reset."""
    try:
        response = httpx.get(f"{base_url}/healthz", timeout=5, headers={"Connection": "close"})
    except httpx.ConnectError:
        return "refused"
    except httpx.HTTPError as error:
        return f"broken: {type(error).__name__}"
    return "unavailable" if response.status_code == 503 else f"served {response.status_code}"


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
async def test_sigterm_turns_new_callers_away_while_the_request_in_flight_finishes(
        database_url, redis_url, workers, tmp_path):
    import signal
    import threading
    import time

    from devservices.wechat_standin import WeChatStandIn
    from tests.support.platform import new_street_client, sign_in
    from tests.support.wechat import register_miniprogram

    standin = WeChatStandIn(slow_seconds=3).start()
    platform = await new_street_client(database_url)
    processes: list = []
    env = env_for(database_url, redis_url, WECHAT_API_BASE=standin.base_url, BILIN_WECHAT_TIMEOUT="10",
                  BILIN_RATE_LIMIT_TOKEN=UNLIMITED, BILIN_WORKERS=str(workers))
    outcome: dict = {}
    try:
        with running_service(env, serve_command=True, workers=workers, started=processes,
                             log_path=tmp_path / "service.log") as url:
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                await sign_in(http, platform)
                app = await register_miniprogram(http, platform, appid=None)
            caller = threading.Thread(target=_sign_in_slowly, args=(url, app.client_id, outcome), daemon=True)
            caller.start()
            deadline = time.monotonic() + 10
            while not any(r.query.get("js_code") == "slow" for r in standin.requests("/sns/jscode2session")):
                assert time.monotonic() < deadline, "the slow request never reached WeChat"
                time.sleep(0.02)
            processes[0].send_signal(signal.SIGTERM)
            time.sleep(0.5)  # the server has begun to shut down; the request is still in flight
            assert "response" not in outcome
            met = [_new_caller(url) for _ in range(3)]
            caller.join(timeout=20)
    finally:
        standin.stop()
    assert all(m in ("refused", "unavailable") for m in met), met
    response = outcome["response"]
    assert isinstance(response, httpx.Response), response
    assert response.status_code == 200, response.text
    assert response.json()["access_token"]
