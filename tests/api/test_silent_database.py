"""A silent PostgreSQL partition (packets dropped, nothing reset) fails requests fast with
503 and Retry-After instead of holding them: connect, command and pool-acquire timeouts."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from urllib.parse import urlsplit

from litestar.testing import AsyncTestClient

from api.app import create_app
from tests.support.proxy import TcpProxy

BOUND = 8.0  # seconds: the promise is about 5 s; the bound leaves room for a busy machine


def assert_fast_503(response, elapsed: float) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "service_unavailable"
    assert int(response.headers["retry-after"]) >= 1
    assert elapsed < BOUND, elapsed


async def timed(call):
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


async def test_a_silent_database_answers_503_within_seconds_and_heals(database_url, test_settings, platform):
    target = urlsplit(database_url)
    with TcpProxy(target.hostname or "127.0.0.1", target.port or 5432) as proxy:
        settings = dataclasses.replace(test_settings, database_url=proxy.url_for(database_url), db_pool_max=3)
        async with AsyncTestClient(app=create_app(settings), base_url="http://bilin.test") as client:
            before = await client.get("/v1/communities", headers=platform.headers())
            assert before.status_code == 200, before.text  # a pooled connection now exists

            proxy.blackhole()
            # A read on the pooled (now silent) connection, a write in a transaction, and more
            # callers at once than the pool holds: every one answers 503 within the bound.
            read = await timed(client.get("/v1/communities", headers=platform.headers()))
            assert_fast_503(*read)
            write = await timed(client.post("/v1/communities", headers=platform.headers(),
                                            json={"name": "分区中"}))
            assert_fast_503(*write)
            crowd = await asyncio.gather(*(timed(client.get("/v1/communities", headers=platform.headers()))
                                           for _ in range(6)))
            for answer in crowd:
                assert_fast_503(*answer)
            ready = await timed(client.get("/readyz"))
            assert_fast_503(*ready)

            proxy.restore()
            deadline = time.monotonic() + 15
            while (await client.get("/v1/communities", headers=platform.headers())).status_code != 200:
                assert time.monotonic() < deadline, "still failing 15 s after the partition healed"
                await asyncio.sleep(0.2)
