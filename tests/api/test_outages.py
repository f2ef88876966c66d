"""The service as a real process through outages: PostgreSQL out of reach under load (made by
cutting a loopback proxy between the service and the database), and a graceful shutdown
that lets the request in flight finish."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from devservices import free_port
from tests.support.platform import new_street_client, sign_in
from tests.support.proxy import TcpProxy
from tests.support.server import running_service

UNLIMITED = "1000000/60"
OUTAGE_SECONDS = 2.0
WORKERS = 6  # concurrent callers keeping the service busy throughout


def service_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url,
            **{f"BILIN_RATE_LIMIT_{kind}": UNLIMITED for kind in ("CLIENT", "PERSON", "ANONYMOUS", "TOKEN")}}


@dataclass
class Call:
    sent: float
    done: float
    response: httpx.Response


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["code"] == "service_unavailable"


@pytest.mark.slow
async def test_database_outage_is_503_then_heals_without_restart(database_url, redis_url, tmp_path: Path):
    platform = await new_street_client(database_url)
    target = urlsplit(database_url)
    with TcpProxy(target.hostname or "127.0.0.1", target.port or 5432) as proxy:
        env = service_env(proxy.url_for(database_url), redis_url)
        with running_service(env, log_path=tmp_path / "service.log") as url:
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                await sign_in(http, platform)  # the token endpoint needs the database too
                before = await http.post("/v1/communities", headers=platform.headers(),
                                         json={"name": "断网前", "external_id": "before-cut"})
                assert before.status_code == 201, before.text

                calls: list[Call] = []
                stop = asyncio.Event()

                async def keep_calling() -> None:
                    while not stop.is_set():
                        sent = time.monotonic()
                        response = await http.get("/v1/communities", headers=platform.headers())
                        calls.append(Call(sent, time.monotonic(), response))
                        await asyncio.sleep(0.01)

                load = [asyncio.create_task(keep_calling()) for _ in range(WORKERS)]
                try:
                    await asyncio.sleep(0.5)
                    proxy.cut()
                    cut_at = time.monotonic()
                    await asyncio.sleep(0.3)  # requests in flight at the cut have answered by now
                    ready = await http.get("/readyz")
                    assert ready.status_code == 503, ready.text
                    assert int(ready.headers["retry-after"]) >= 1
                    assert ready.json() == {"status": "unavailable", "database": "unavailable", "redis": "ok"}
                    during = await http.post("/v1/communities", headers=platform.headers(),
                                             json={"name": "断网中", "external_id": "during-cut"})
                    assert_unavailable(during)
                    await asyncio.sleep(max(0.0, cut_at + OUTAGE_SECONDS - time.monotonic()))

                    restored_at = time.monotonic()
                    proxy.restore()
                    while not any(c.sent >= restored_at and c.response.status_code == 200 for c in calls):
                        assert time.monotonic() - restored_at < 5, "still failing 5 s after the database came back"
                        await asyncio.sleep(0.05)
                    await asyncio.sleep(0.5)  # and it stays healed
                finally:
                    stop.set()
                    await asyncio.gather(*load)

                statuses = {c.response.status_code for c in calls}
                assert statuses <= {200, 503}, statuses  # never a 500, never a hang
                for call in calls:
                    if call.response.status_code == 503:
                        assert_unavailable(call.response)
                assert any(c.done < cut_at for c in calls)
                assert all(c.response.status_code == 200 for c in calls if c.done < cut_at)
                cut_off = [c for c in calls if c.sent > cut_at + 0.3 and c.done < restored_at]
                assert len(cut_off) >= WORKERS, len(cut_off)
                assert all(c.response.status_code == 503 for c in cut_off)
                healed_at = min(c.sent for c in calls if c.sent >= restored_at and c.response.status_code == 200)
                after = [c for c in calls if c.sent > healed_at]
                assert after and all(c.response.status_code == 200 for c in after)

                assert (await http.get("/readyz")).json()["status"] == "ready"
                kept = await http.get(f"/v1/communities/{before.json()['id']}", headers=platform.headers())
                assert kept.status_code == 200, kept.text
                assert kept.json()["name"] == "断网前"
                lost = await http.get("/v1/communities", params={"external_id": "during-cut"},
                                      headers=platform.headers())
                assert lost.status_code == 200 and lost.json()["data"] == []


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
        time.sleep(0.3)  # the server has read the request's head and called the app
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
