"""An import run by real worker processes: one SIGKILLed mid-file and another started after
it ends with the counts and rows of a clean run — every row applied once. And the relay
sends a bulk import's row events only to endpoints that name their type."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from store.feed import has_unnumbered
from tests.support.imports import imported, post_import
from tests.support.worker import running_worker
from usecases.clock import BusinessClock
from worker.relay import relay_once

ROWS = 30_000  # three batches


async def until(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        assert time.monotonic() < deadline, f"not within {timeout} s"
        await asyncio.sleep(0.02)
    return result


async def test_a_worker_killed_mid_file_resumes_and_applies_every_row_once(client, db, database_url, platform,
                                                                          tmp_path):
    await imported(client, db, platform, "communities", b"external_id,name\nC1,c\n")
    await imported(client, db, platform, "buildings", b"external_id,community_external_id,name\nB1,C1,b\n")
    lines = ["external_id,building_external_id,unit_label,area_m2"] + [f"H{i},B1,{i},50" for i in range(ROWS)]
    started = await post_import(client, platform, "households", "\n".join(lines).encode())
    assert started.status_code == 202, started.text
    import_id = started.json()["id"]

    async def progress() -> tuple[str, int]:
        row = await db.fetchrow("SELECT status, rows_done FROM imports WHERE id = $1", import_id)
        return row["status"], row["rows_done"]

    with running_worker(database_url, tmp_path / "first.log") as first:
        await until(lambda: _mid_file(progress))
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    status, done_at_kill = await progress()
    assert status == "running" and 0 < done_at_kill < ROWS, (status, done_at_kill)
    with running_worker(database_url, tmp_path / "second.log"):
        await until(lambda: _finished(progress))
    job = (await client.get(f"/v1/imports/{import_id}", headers=platform.headers())).json()
    assert (job["status"], job["rows_done"], job["created"], job["updated"], job["unchanged"], job["failed"]) == \
        ("succeeded", ROWS, ROWS, 0, 0, 0)
    assert await db.fetchval("SELECT count(*) FROM households WHERE street_id = $1", platform.street_id) == ROWS
    created_events = await db.fetchval(
        "SELECT count(*) FROM events WHERE street_id = $1 AND type = 'household.created'", platform.street_id)
    assert created_events == ROWS, "a row was applied twice (or lost)"
    assert await db.fetchval(
        "SELECT count(*) FROM events WHERE street_id = $1 AND type = 'import.completed' AND data->>'import_id' = $2",
        platform.street_id, import_id) == 1


async def _mid_file(progress) -> bool:
    status, done = await progress()
    return status == "running" and 0 < done < ROWS // 2


async def _finished(progress) -> bool:
    return (await progress())[0] == "succeeded"


async def test_row_events_reach_only_endpoints_that_name_their_type(client, db, platform):
    endpoints = {}
    for name, types in (("all", []), ("named", ["community.created"]), ("wildcard", ["community.*"]),
                        ("done", ["import.completed"])):
        made = await client.post("/v1/webhook-endpoints", headers=platform.headers(),
                                 json={"url": f"https://hooks.example.cn/{name}", "event_types": types})
        assert made.status_code == 201, made.text
        endpoints[name] = made.json()["id"]
    done = await imported(client, db, platform, "communities", b"external_id,name\nC1,a\nC2,b\n")
    assert done["created"] == 2
    async with db.acquire() as conn:
        while await has_unnumbered(conn):
            await relay_once(conn, BusinessClock(enabled=True, ttl=0))
    sent = {name: sorted(r["event_type"] for r in await db.fetch(
        """SELECT event_type FROM webhook_deliveries
           WHERE endpoint_id = $1 AND event_type NOT LIKE 'webhook_endpoint.%'""", endpoint))
        for name, endpoint in endpoints.items()}
    assert sent == {"all": ["import.completed"], "named": ["community.created"] * 2,
                    "wildcard": ["community.created"] * 2, "done": ["import.completed"]}
