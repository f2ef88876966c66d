"""The service as a real process through outages: PostgreSQL out of reach under load (made by
cutting a loopback proxy between the service and the database), short and repeated, and a
graceful shutdown that lets the request in flight finish."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import httpx
import pytest
import redis

from devservices import free_port
from tests.support.platform import new_street_client, sign_in
from tests.support.proxy import TcpProxy
from tests.support.server import running_service

UNLIMITED = "1000000/60"  # windows of 60 s
OUTAGE_SECONDS = 2.0
WORKERS = 8  # concurrent callers keeping the service busy throughout
BLIPS = 10


def service_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url,
            **{f"BILIN_RATE_LIMIT_{kind}": UNLIMITED for kind in ("CLIENT", "PERSON", "ANONYMOUS", "TOKEN")}}


@dataclass
class Call:
    sent: float
    done: float
    response: httpx.Response | None  # None: the connection broke (error says how)
    error: str = ""

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None


class Load:
    """WORKERS callers repeating one GET until stopped; every answer (or broken connection)
    is kept with the moments it was sent and answered."""

    def __init__(self, http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> None:
        self.http, self.path, self.headers = http, path, headers
        self.calls: list[Call] = []
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def _keep_calling(self) -> None:
        while not self._stop.is_set():
            sent = time.monotonic()
            try:
                response = await self.http.get(self.path, headers=self.headers)
                self.calls.append(Call(sent, time.monotonic(), response))
            except httpx.TransportError as error:
                self.calls.append(Call(sent, time.monotonic(), None, repr(error)))
            await asyncio.sleep(0.005)

    async def __aenter__(self) -> Self:
        self._tasks = [asyncio.create_task(self._keep_calling()) for _ in range(WORKERS)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    def check_answers(self) -> None:
        """Every call answered, with 200 or a well-formed 503: never a 500, never a dropped connection."""
        broken = [c.error for c in self.calls if c.response is None]
        assert not broken, f"{len(broken)} of {len(self.calls)} calls lost their connection: {broken[:3]}"
        statuses = {c.status for c in self.calls}
        assert statuses <= {200, 503}, statuses
        for call in self.calls:
            if call.status == 503:
                assert_unavailable(call.response)


def assert_unavailable(response: httpx.Response | None) -> None:
    assert response is not None
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["code"] == "service_unavailable"


async def wait_for(condition: Callable[[], bool], seconds: float, failure: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, failure
        await asyncio.sleep(0.02)


def assert_no_crash_logged(log_path: Path) -> None:
    """An exception escaping the app is logged by uvicorn, which then drops the connection."""
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[log.index("Traceback") - 200:][:3000]


@pytest.mark.slow
async def test_database_outage_is_503_then_heals_without_restart(database_url, redis_url, tmp_path: Path):
    platform = await new_street_client(database_url)
    target = urlsplit(database_url)
    log_path = tmp_path / "service.log"
    with TcpProxy(target.hostname or "127.0.0.1", target.port or 5432) as proxy:
        env = service_env(proxy.url_for(database_url), redis_url)
        with running_service(env, log_path=log_path) as url:
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                await sign_in(http, platform)  # the token endpoint needs the database too
                before = await http.post("/v1/communities", headers=platform.headers(),
                                         json={"name": "断网前", "external_id": "before-cut"})
                assert before.status_code == 201, before.text

                async with Load(http, "/v1/communities", platform.headers()) as load:
                    await wait_for(lambda: sum(c.status == 200 for c in load.calls) >= WORKERS, 10,
                                   "the load never got going")
                    proxy.cut()
                    cut_at = time.monotonic()
                    await asyncio.sleep(0.3)  # requests in flight at the cut have answered by now
                    ready = await http.get("/readyz")
                    assert ready.status_code == 503, ready.text
                    assert_unavailable(ready)
                    during = await http.post("/v1/communities", headers=platform.headers(),
                                             json={"name": "断网中", "external_id": "during-cut"})
                    assert_unavailable(during)
                    await wait_for(lambda: sum(c.sent > cut_at + 0.3 for c in load.calls) >= WORKERS, 10,
                                   "no calls answered during the outage")
                    await asyncio.sleep(max(0.0, cut_at + OUTAGE_SECONDS - time.monotonic()))

                    restored_at = time.monotonic()
                    proxy.restore()
                    await wait_for(lambda: any(c.sent >= restored_at and c.status == 200 for c in load.calls),
                                   5, "still failing 5 s after the database came back")
                    await asyncio.sleep(0.5)  # and it stays healed

                load.check_answers()
                calls = load.calls
                assert any(c.done < cut_at for c in calls)
                assert all(c.status == 200 for c in calls if c.done < cut_at)
                cut_off = [c for c in calls if c.sent > cut_at + 0.3 and c.done < restored_at]
                assert len(cut_off) >= WORKERS, len(cut_off)
                assert all(c.status == 503 for c in cut_off)
                healed_at = min(c.sent for c in calls if c.sent >= restored_at and c.status == 200)
                after = [c for c in calls if c.sent > healed_at]
                assert after and all(c.status == 200 for c in after)

                assert (await http.get("/readyz")).json()["status"] == "ready"
                kept = await http.get(f"/v1/communities/{before.json()['id']}", headers=platform.headers())
                assert kept.status_code == 200, kept.text
                assert kept.json()["name"] == "断网前"
                lost = await http.get("/v1/communities", params={"external_id": "during-cut"},
                                      headers=platform.headers())
                assert lost.status_code == 200 and lost.json()["data"] == []
    assert_no_crash_logged(log_path)


@pytest.mark.slow
async def test_database_blips_under_load_never_drop_a_connection(database_url, redis_url, tmp_path: Path):
    """Many short cuts, so that some land while a request still holds its connection
    (after its query, before the connection is given back)."""
    platform = await new_street_client(database_url)
    target = urlsplit(database_url)
    log_path = tmp_path / "service.log"
    with TcpProxy(target.hostname or "127.0.0.1", target.port or 5432) as proxy, \
            running_service(service_env(proxy.url_for(database_url), redis_url), log_path=log_path) as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            await sign_in(http, platform)
            async with Load(http, "/v1/communities", platform.headers()) as load:
                for _ in range(BLIPS):
                    await asyncio.sleep(0.15)
                    proxy.cut()
                    await asyncio.sleep(0.05)
                    proxy.restore()
                await asyncio.sleep(0.5)
                settled = time.monotonic()
                await asyncio.sleep(0.3)
            load.check_answers()
            assert {c.status for c in load.calls} == {200, 503}  # the blips were felt
            assert all(c.status == 200 for c in load.calls if c.sent > settled)
    assert_no_crash_logged(log_path)


@pytest.mark.slow
async def test_sigterm_lets_the_request_in_flight_finish(database_url, redis_url, db, tmp_path: Path):
    """The request's body is still arriving when SIGTERM comes; the rest is sent only once
    the server has stopped accepting connections, i.e. while it is shutting down."""
    platform = await new_street_client(database_url)
    port = free_port()
    external_id = f"sigterm-{uuid.uuid4().hex[:8]}"
    first_part_sent = threading.Event()
    outcome: dict[str, object] = {}

    def accepting() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def body():
        yield '{"name": "停机中", '.encode()
        first_part_sent.set()
        deadline = time.monotonic() + 10
        while accepting() and time.monotonic() < deadline:
            time.sleep(0.05)
        outcome["shutting_down"] = not accepting()
        yield f'"external_id": "{external_id}"}}'.encode()

    def post(base_url: str) -> None:
        try:
            outcome["response"] = httpx.post(
                f"{base_url}/v1/communities", content=body(), timeout=20,
                headers=platform.headers(**{"Content-Type": "application/json"}))
        except httpx.HTTPError as error:
            outcome["response"] = error

    with running_service(service_env(database_url, redis_url), port=port,
                         log_path=tmp_path / "service.log") as url:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            await sign_in(http, platform)
        caller = threading.Thread(target=post, args=(url,), daemon=True)
        caller.start()
        assert first_part_sent.wait(5)
        # The edge counts a request in Redis before it calls the app: once the count shows,
        # the server is handling the request (only its body's end is missing).
        keys = [f"bilin:rl:client:{platform.client_id}:{int(time.time() // 60) - n}" for n in (0, 1)]
        with redis.Redis.from_url(redis_url) as direct:
            deadline = time.monotonic() + 5
            while not any(direct.get(key) for key in keys):
                assert time.monotonic() < deadline, "the server never started on the request"
                await asyncio.sleep(0.02)
    # Leaving running_service sent SIGTERM and waited for the process to exit.
    caller.join(timeout=20)
    assert not caller.is_alive()
    assert outcome["shutting_down"] is True
    response = outcome["response"]
    assert isinstance(response, httpx.Response), response
    assert response.status_code == 201, response.text
    stored = await db.fetchval("SELECT name FROM communities WHERE street_id = $1 AND external_id = $2",
                               platform.street_id, external_id)
    assert stored == "停机中"
    assert not accepting()  # and the process is gone
