"""integrations/wechat.py against real HTTP servers: the stand-in in its strict mode, a server
that answers what WeChat never should, and the access-token cache with and without Redis."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from redis.asyncio import Redis

from devservices import free_port
from devservices.wechat_standin import WeChatStandIn
from integrations.wechat import WeChatClient, WeChatError
from tests.support.wechat import new_appid

SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def strict_wechat() -> Iterator[WeChatStandIn]:
    standin = WeChatStandIn(strict=True).start()
    yield standin
    standin.stop()


@pytest.fixture
def broken_server() -> Iterator[str]:
    """Answers 200 with HTML on /html, and 502 anywhere else: what a proxy in the way does."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            html = self.path.startswith("/html")
            payload = b"<html>gateway</html>"
            self.send_response(200 if html else 502)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_strict_stand_in_refuses_unknown_apps_and_wrong_secrets(strict_wechat):
    appid = new_appid()
    strict_wechat.register_app(appid, SECRET)
    wechat = WeChatClient(strict_wechat.base_url, timeout=1)
    try:
        session = await wechat.code_to_session(appid, SECRET, "u-someone")
        assert (session.openid, session.unionid) == ("openid-u-someone", "unionid-u-someone")
        for other_appid, secret, errcode in ((new_appid(), SECRET, 40013), (appid, "wrong" * 7, 40125)):
            with pytest.raises(WeChatError) as refused:
                await wechat.code_to_session(other_appid, secret, "someone")
            assert refused.value.code == "wechat_app_misconfigured"
            assert refused.value.params["errcode"] == errcode
    finally:
        await wechat.aclose()


async def test_answers_wechat_never_gives_are_502_or_503(broken_server):
    html = WeChatClient(broken_server + "/html", timeout=1)
    gateway = WeChatClient(broken_server, timeout=1)
    nobody = WeChatClient(f"http://127.0.0.1:{free_port()}", timeout=1)
    try:
        with pytest.raises(WeChatError) as unreadable:
            await html.code_to_session(new_appid(), SECRET, "x")
        assert unreadable.value.code == "wechat_error"
        for down in (gateway, nobody):
            with pytest.raises(WeChatError) as unavailable:
                await down.code_to_session(new_appid(), SECRET, "x")
            assert unavailable.value.code == "wechat_unavailable"
            assert unavailable.value.params["retry_after"] == 5
    finally:
        for client in (html, gateway, nobody):
            await client.aclose()


async def test_the_access_token_is_shared_through_redis_and_kept_in_process_without_it(wechat, redis_url):
    appid = new_appid()
    redis_one, redis_two = Redis.from_url(redis_url), Redis.from_url(redis_url)
    one = WeChatClient(wechat.base_url, redis=redis_one)
    two = WeChatClient(wechat.base_url, redis=redis_two)
    alone = WeChatClient(wechat.base_url)
    unreachable = Redis.from_url(f"redis://127.0.0.1:{free_port()}", socket_connect_timeout=0.2)
    degraded = WeChatClient(wechat.base_url, redis=unreachable)
    try:
        for client in (one, two):  # two workers: one fetch between them
            assert (await client.phone_number(appid, SECRET, "phone-13800138000")).number == "13800138000"
        assert len(wechat.requests("/cgi-bin/stable_token", appid=appid)) == 1

        other = new_appid()
        for client in (alone, alone, degraded, degraded):  # no Redis, or Redis down: per process
            await client.phone_number(other, SECRET, "phone-13800138000")
        assert len(wechat.requests("/cgi-bin/stable_token", appid=other)) == 2

        # A different secret never reuses a token fetched with another.
        await one.phone_number(appid, SECRET[::-1], "phone-13800138000")
        assert len(wechat.requests("/cgi-bin/stable_token", appid=appid)) == 2
    finally:
        for client in (one, two, alone, degraded):
            await client.aclose()
        for redis in (redis_one, redis_two, unreachable):
            await redis.aclose()


async def test_the_stable_token_is_cached_per_appid_until_shortly_before_it_expires(wechat, redis_url):
    redis = Redis.from_url(redis_url)
    client = WeChatClient(wechat.base_url, redis=redis)
    first, second = new_appid(), new_appid()
    try:
        for appid in (first, first, second):
            await client.phone_number(appid, SECRET, "phone-13800138000")
        fetched = [r for r in wechat.requests("/cgi-bin/stable_token") if r.appid in (first, second)]
        assert [r.appid for r in fetched] == [first, second]  # one per appid
        assert all(json.loads(r.body)["force_refresh"] is False for r in fetched)
        assert not wechat.requests("/cgi-bin/token")  # it would invalidate the mini-program's own token
        # Kept five minutes less than WeChat's 7200 s, so it is renewed before WeChat expires it.
        ttl = await redis.ttl(client._cache_key(first, SECRET))
        assert 7200 - 300 - 5 <= ttl <= 7200 - 300
    finally:
        await client.aclose()
        await redis.aclose()


@pytest.mark.parametrize(("errcode", "problem"), [(40013, "wechat_app_misconfigured"), (-1, "wechat_unavailable")])
async def test_a_refused_stable_token_is_a_clear_problem(strict_wechat, errcode, problem):
    client = WeChatClient(strict_wechat.base_url, timeout=1)
    appid = new_appid()
    if errcode == -1:
        strict_wechat.register_app(appid, SECRET)
        strict_wechat.stable_token_error = -1
    try:
        with pytest.raises(WeChatError) as refused:
            await client.phone_number(appid, SECRET, "phone-13800138000")
        assert refused.value.code == problem and refused.value.params["errcode"] == errcode
    finally:
        await client.aclose()
