"""Rate limits: the draft-ietf-httpapi-ratelimit-headers-10 headers on every answer, one count
shared in Redis by every process of the service, and per-process counting while Redis is
out of reach (made by cutting a loopback proxy between the service and Redis)."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import redis

from tests.support.platform import new_street_client, sign_in
from tests.support.proxy import TcpProxy
from tests.support.server import running_service

QUOTA = 30
# An hour-long window: a test needs a few seconds inside one window, and the hour boundary
# is far less likely to fall inside a run than a minute's (wait_for_room guards it anyway).
WINDOW = 3600
UNLIMITED = "1000000/60"

# One member of a Structured Field List (RFC 9651) as the draft uses it: a String naming
# the policy, then integer parameters, e.g. "client";q=30;w=60
_MEMBER = re.compile(r'^"(?P<name>[\x20-\x21\x23-\x5b\x5d-\x7e]+)"(?P<params>(?:;[a-z*][a-z0-9_.*-]*=-?\d{1,15})*)$')


def parse_list(value: str) -> dict[str, dict[str, int]]:
    """{policy name: {parameter: integer}}; fails the test when the value is malformed."""
    members: dict[str, dict[str, int]] = {}
    for text in value.split(","):
        match = _MEMBER.match(text.strip(" "))
        assert match, f"malformed member {text!r} in {value!r}"
        params = {}
        for param in match["params"].split(";")[1:]:
            key, _, number = param.partition("=")
            assert key not in params, f"repeated parameter {key!r} in {value!r}"
            params[key] = int(number)
        assert match["name"] not in members, f"repeated policy {match['name']!r} in {value!r}"
        members[match["name"]] = params
    return members


def rate_limit_headers(response: httpx.Response) -> dict[str, dict[str, int]]:
    """Check both headers against the draft and each other; {policy: q, w, r, t}."""
    assert "ratelimit-policy" in response.headers, dict(response.headers)
    assert "ratelimit" in response.headers, dict(response.headers)
    policies = parse_list(response.headers["ratelimit-policy"])
    current = parse_list(response.headers["ratelimit"])
    assert current.keys() == policies.keys(), (policies, current)
    merged = {}
    for name, policy in policies.items():
        assert set(policy) <= {"q", "qu", "w", "pk"} and "q" in policy, policy
        assert policy["q"] >= 1 and policy.get("w", 1) >= 1, policy
        state = current[name]
        assert set(state) <= {"r", "t", "pk"} and "r" in state, state
        assert 0 <= state["r"] <= policy["q"], (policy, state)
        assert 0 <= state.get("t", 0) <= policy.get("w", 10**9), (policy, state)
        merged[name] = {**policy, **state}
    return merged


def remaining(response: httpx.Response, policy: str = "client") -> int:
    return rate_limit_headers(response)[policy]["r"]


def service_env(database_url: str, redis_url: str, client_limit: str = UNLIMITED) -> dict[str, str]:
    # Only the client quota is small: token and anonymous buckets count per address
    # (127.0.0.1), which other tests' services share in the same Redis.
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "BILIN_RATE_LIMIT_CLIENT": client_limit, "BILIN_RATE_LIMIT_PERSON": UNLIMITED,
            "BILIN_RATE_LIMIT_ANONYMOUS": UNLIMITED, "BILIN_RATE_LIMIT_TOKEN": UNLIMITED}


def wait_for_room(window: int, needed: float) -> None:
    """Fixed windows: start the counted requests only when `needed` seconds remain in one."""
    left = window - time.time() % window
    if left < needed:
        time.sleep(left + 0.1)


def redis_count(redis_url: str, client_id: str) -> int:
    """The client's count in Redis for the current window, read past the service."""
    key = f"bilin:rl:client:{client_id}:{int(time.time() // WINDOW)}"
    with redis.Redis.from_url(redis_url) as direct:
        return int(direct.get(key) or 0)


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "rate_limited"
    headers = rate_limit_headers(response)
    assert headers["client"]["r"] == 0
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= headers["client"]["w"]
    assert retry_after == headers["client"]["t"]  # the same moment, said twice


# -- (a) the headers on every kind of answer, in process ---------------------------------------

async def test_headers_on_a_normal_answer_count_down(client, platform, test_settings):
    first = await client.get("/v1/communities", headers=platform.headers())
    second = await client.get("/v1/communities", headers=platform.headers())
    assert first.status_code == second.status_code == 200, first.text
    headers = rate_limit_headers(first)
    assert list(headers) == ["client"]
    configured = test_settings.rate_limit_client
    assert (headers["client"]["q"], headers["client"]["w"]) == (configured.quota, configured.window_seconds)
    assert 1 <= headers["client"]["t"] <= configured.window_seconds
    assert remaining(second) == remaining(first) - 1


@pytest.mark.parametrize(("path", "signed_in", "status", "code", "policy"), [
    ("/v1/no-such-thing", True, 404, "not_found", "client"),
    ("/v1/no-such-thing", False, 404, "not_found", "anonymous"),
    ("/v1/communities", False, 401, "unauthenticated", "anonymous"),
    ("/v1/communities", "forged", 401, "invalid_token", "anonymous"),
])
async def test_headers_on_errors(client, platform, path, signed_in, status, code, policy):
    headers = {"Authorization": "Bearer not.a.token"} if signed_in == "forged" else (
        platform.headers() if signed_in else {})
    response = await client.get(path, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    assert list(rate_limit_headers(response)) == [policy]


async def test_probes_are_not_counted(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert "ratelimit" not in response.headers and "ratelimit-policy" not in response.headers


# -- (b) two processes, one count in Redis -----------------------------------------------------

@pytest.mark.slow
async def test_two_processes_share_one_count(database_url, redis_url, tmp_path: Path):
    platform = await new_street_client(database_url)
    env = service_env(database_url, redis_url, f"{QUOTA}/{WINDOW}")
    with running_service(env, log_path=tmp_path / "a.log") as url_a, \
            running_service(env, log_path=tmp_path / "b.log") as url_b:
        assert url_a != url_b
        async with httpx.AsyncClient(base_url=url_a, timeout=10) as a, \
                httpx.AsyncClient(base_url=url_b, timeout=10) as b:
            await sign_in(a, platform)
            wait_for_room(WINDOW, 20)
            seen = []
            for i in range(QUOTA):  # alternate: each process serves half of the quota
                response = await (a, b)[i % 2].get("/v1/communities", headers=platform.headers())
                assert response.status_code == 200, (i, response.text)
                seen.append(remaining(response))
            # Counted per process, each would report 29, 29, 28, 28, …
            assert seen == list(range(QUOTA - 1, -1, -1))
            assert_rate_limited(await a.get("/v1/communities", headers=platform.headers()))
            assert_rate_limited(await b.get("/v1/communities", headers=platform.headers()))
    assert redis_count(redis_url, platform.client_id) == QUOTA + 2


# -- (c) Redis out of reach: per-process counting, then back to Redis --------------------------

@pytest.mark.slow
async def test_redis_outage_falls_back_to_counting_in_process(database_url, redis_url, tmp_path: Path):
    platform = await new_street_client(database_url)
    target = urlsplit(redis_url)
    with TcpProxy(target.hostname or "127.0.0.1", target.port or 6379) as proxy:
        env = service_env(database_url, proxy.url_for(redis_url), f"{QUOTA}/{WINDOW}")
        with running_service(env, log_path=tmp_path / "service.log") as url:
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                await sign_in(http, platform)
                ready = await http.get("/readyz")
                assert ready.json()["status"] == "ready", ready.text
                wait_for_room(WINDOW, 20)
                for expected in (QUOTA - 1, QUOTA - 2, QUOTA - 3):  # counted in Redis
                    assert remaining(await http.get("/v1/communities", headers=platform.headers())) == expected
                assert redis_count(redis_url, platform.client_id) == 3

                proxy.cut()
                started = time.monotonic()
                seen = []
                for _ in range(QUOTA):
                    response = await http.get("/v1/communities", headers=platform.headers())
                    assert response.status_code == 200, response.text
                    seen.append(remaining(response))
                # This process counts from zero on its own: the 3 in Redis are out of reach.
                assert seen == list(range(QUOTA - 1, -1, -1))
                assert_rate_limited(await http.get("/v1/communities", headers=platform.headers()))
                # Refused at once, and retried at most once a second: no request waits long.
                assert time.monotonic() - started < 10, "the requests kept waiting for Redis"
                degraded = await http.get("/readyz")
                assert degraded.status_code == 200, degraded.text
                assert degraded.json() == {"status": "degraded", "database": "ok", "redis": "unavailable"}
                assert redis_count(redis_url, platform.client_id) == 3  # nothing reached Redis

                proxy.restore()
                await asyncio.sleep(1.2)  # the limiter tries Redis again 1 s after its last failure
                back = await http.get("/v1/communities", headers=platform.headers())
                # Redis's count resumes (3 + 1): the in-process count (31) would refuse this.
                assert back.status_code == 200, back.text
                assert remaining(back) == QUOTA - 4
                assert redis_count(redis_url, platform.client_id) == 4
                assert (await http.get("/readyz")).json()["status"] == "ready"
