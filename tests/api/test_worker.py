"""The worker as real processes: killed with SIGKILL mid-delivery and restarted, two of them
racing for the same due jobs, retries on the schedule under the test clock, 410 and repeated
failure disabling an endpoint, a slow receiver, a graceful stop, and deadlines that fell due
while no worker ran."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from datetime import timedelta

import pytest
from standardwebhooks import Webhook

from domain.webhooks import RETRY_DELAYS
from store import jobs
from store.events import Subject
from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.receiver import Receiver
from tests.support.worker import only_this_street_delivers, running_worker
from usecases.events import schedule_event

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]
JOB_WORKER = ["tests.support.job_worker"]


@pytest.fixture(autouse=True)
async def _only_this_street(db, platform):
    await only_this_street_delivers(db, platform.street_id)


async def create_endpoint(client, platform, url: str, **fields) -> dict:
    response = await client.post("/v1/webhook-endpoints", headers=platform.headers(), json={"url": url, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def new_community(client, platform, name: str) -> None:
    assert (await client.post("/v1/communities", headers=platform.headers(), json={"name": name})).status_code == 201


async def eventually(check, timeout: float = 10.0, every: float = 0.05):
    """Poll ``check`` (async, returns a truthy value when done) until it holds."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s (last: {result!r})")
        await asyncio.sleep(every)


async def deliveries(db, endpoint_id: str) -> list:
    return await db.fetch("SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at",
                          endpoint_id)


async def test_a_worker_killed_mid_delivery_loses_nothing(client, db, database_url, platform, tmp_path):
    with Receiver() as receiver:
        receiver.answer(204, delay=0.5)
        endpoints = [await create_endpoint(client, platform, f"{receiver.url}/e{i}", event_types=["community.*"])
                     for i in range(2)]
        for i in range(6):
            await new_community(client, platform, f"社区 {i}")
        with running_worker(database_url, tmp_path / "first.log") as first:
            await receiver.wait_for(lambda rs: len(rs) >= 3 and any(not r.answered for r in rs))
            os.kill(first.pid, signal.SIGKILL)  # mid-delivery: a receiver is still answering
            first.wait()
        interrupted = {r.webhook_id for r in receiver.snapshot() if not r.answered}
        receiver.answer(204)
        with running_worker(database_url, tmp_path / "second.log"):
            async def all_delivered():
                rows = [d for e in endpoints for d in await deliveries(db, e["id"])]
                return len(rows) == 12 and all(d["status"] == "succeeded" for d in rows)
            await eventually(all_delivered, timeout=15)

    requests = receiver.snapshot()
    pairs: dict[str, set[tuple[str, str]]] = {}
    for request in requests:
        secret = endpoints[int(request.path[-1])]["secret"]
        event = Webhook(secret).verify(request.body, request.headers)
        pairs.setdefault(request.webhook_id, set()).add((request.path, event["id"]))
    assert all(len(p) == 1 for p in pairs.values()), "one webhook-id named two deliveries"
    delivered = [next(iter(p)) for p in pairs.values()]
    assert len(delivered) == len(set(delivered)) == 12, "every event to every endpoint, under one id each"
    assert interrupted, "the kill did not land mid-delivery"
    repeats = {r.webhook_id for r in requests if sum(x.webhook_id == r.webhook_id for x in requests) > 1}
    assert interrupted <= repeats, "an interrupted delivery was not sent again with the same webhook-id"


async def test_two_workers_never_run_a_due_job_twice(client, db, database_url, platform, tmp_path):
    runs = tmp_path / "runs.txt"
    runs.touch()
    now = await business_now(db)
    async with db.acquire() as conn:
        ids = [await jobs.schedule(conn, kind="test.record", run_at=now + timedelta(hours=1, seconds=i % 5),
                                   street_id=platform.street_id, payload={"n": i}) for i in range(150)]
    with running_worker(database_url, tmp_path / "a.log", module=[*JOB_WORKER, str(runs)]), \
            running_worker(database_url, tmp_path / "b.log", module=[*JOB_WORKER, str(runs)]):
        await asyncio.sleep(1.2)  # both poll; nothing is due yet
        assert runs.read_text() == ""
        advanced = time.monotonic()
        response = await client.post("/v1/test-clock", json={"advance_seconds": 3600 + 10})
        assert response.status_code == 200

        async def all_done():
            return await db.fetchval("SELECT count(*) FROM jobs WHERE id = ANY($1) AND status = 'done'", ids) == 150
        await eventually(all_done, timeout=5)
        assert time.monotonic() - advanced < 5  # acted on within seconds of the advance

    lines = [line.split() for line in runs.read_text().splitlines()]
    assert sorted(job for job, _ in lines) == sorted(ids), "a job ran twice, or not at all"
    assert len({pid for _, pid in lines}) == 2, "both workers took jobs"
    events = await db.fetch("SELECT subject_id FROM events WHERE street_id = $1 AND type = 'test.recorded'",
                            platform.street_id)
    assert sorted(e["subject_id"] for e in events) == sorted(ids)  # each job's effect exactly once
    assert await db.fetchval("SELECT max(attempts) FROM jobs WHERE id = ANY($1)", ids) == 1


async def test_a_failing_receiver_gets_retries_on_the_schedule(client, db, database_url, platform, tmp_path):
    with Receiver() as receiver, running_worker(database_url, tmp_path / "worker.log"):
        receiver.plan = lambda n: (503, 0.0) if n < 3 else (204, 0.0)
        endpoint = await create_endpoint(client, platform, f"{receiver.url}/hooks", event_types=["community.*"])
        await new_community(client, platform, "康居社区")
        for attempt in (1, 2, 3, 4):
            await receiver.wait_for(lambda rs, n=attempt: len(rs) >= n, timeout=5)
            (delivery,) = await eventually(
                lambda n=attempt: _with_attempts(db, endpoint["id"], n), timeout=5)
            if attempt == 4:
                break
            wait = (delivery["next_attempt_at"] - delivery["last_attempt_at"]).total_seconds()
            assert 0.8 * RETRY_DELAYS[attempt - 1] <= wait <= 1.2 * RETRY_DELAYS[attempt - 1] + 0.01
            if attempt == 1:
                await asyncio.sleep(1.0)  # not before its time
                assert len(receiver.snapshot()) == 1
            due_in = (delivery["next_attempt_at"] - await business_now(db)).total_seconds()
            await client.post("/v1/test-clock", json={"advance_seconds": max(1, int(due_in) + 1)})

    assert delivery["status"] == "succeeded" and delivery["attempts"] == 4
    assert [entry["status_code"] for entry in delivery["log"]] == [503, 503, 503, 204]
    requests = receiver.snapshot()
    assert {r.webhook_id for r in requests} == {delivery["id"]}
    # Business time is now about 35 minutes ahead, but webhook timestamps are real time, so a
    # receiver's 5-minute tolerance (the package's check) accepts every attempt.
    for request in requests:
        Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert (await client.get(f"/v1/webhook-endpoints/{endpoint['id']}",
                             headers=platform.headers())).json()["failing_since"] is None


async def _with_attempts(db, endpoint_id: str, attempts: int):
    rows = await deliveries(db, endpoint_id)
    return rows if rows and rows[0]["attempts"] == attempts else None


async def test_410_and_repeated_failure_disable_the_endpoint(client, db, database_url, platform, tmp_path):
    async def disabled(endpoint_id):
        body = (await client.get(f"/v1/webhook-endpoints/{endpoint_id}", headers=platform.headers())).json()
        return body if not body["enabled"] else None

    with Receiver() as gone, Receiver() as failing:
        gone.answer(410)
        failing.answer(500)
        first = await create_endpoint(client, platform, f"{gone.url}/hooks", event_types=["community.*"])
        await new_community(client, platform, "嘉富社区")
        await new_community(client, platform, "嘉北社区")
        await client.get("/v1/events", headers=platform.headers())  # relayed: both deliveries wait

        # Repeated failure: a delivery on its last attempt, the endpoint failing for 3 days.
        second = await create_endpoint(client, platform, f"{failing.url}/hooks", event_types=["test.*"])
        async with db.acquire() as conn:
            event_id = await conn.fetchval("SELECT id FROM events WHERE street_id = $1 ORDER BY seq DESC LIMIT 1",
                                           platform.street_id)
            now = await business_now(db)
            await conn.execute("UPDATE webhook_endpoints SET failing_since = $2 WHERE id = $1", second["id"],
                               now - timedelta(days=3))
            await conn.execute(
                """INSERT INTO webhook_deliveries (id, street_id, endpoint_id, event_id, event_type, attempts,
                                                   next_attempt_at, first_attempt_at)
                   VALUES ('whd_lastattempt00001', $1, $2, $3, 'community.created', $4, $5, $6)""",
                platform.street_id, second["id"], event_id, len(RETRY_DELAYS), now, now - timedelta(days=3))

        with running_worker(database_url, tmp_path / "worker.log"):
            endpoint = await eventually(lambda: disabled(first["id"]))
            assert endpoint["disabled_reason"] == "gone" and endpoint["disabled_at"]
            assert sorted(d["status"] for d in await deliveries(db, first["id"])) == ["cancelled", "failed"]
            endpoint = await eventually(lambda: disabled(second["id"]))
            assert endpoint["disabled_reason"] == "repeated_failure"
            (delivery,) = await deliveries(db, second["id"])
            assert delivery["status"] == "failed" and delivery["attempts"] == len(RETRY_DELAYS) + 1
            await asyncio.sleep(0.5)
        assert len(gone.snapshot()) == 1  # nothing after the 410
        assert len(failing.snapshot()) == 1

    feed = (await client.get("/v1/events", headers=platform.headers(),
                             params={"types": "webhook_endpoint.disabled"})).json()["data"]
    assert sorted((e["subject"]["id"], e["data"]["reason"]) for e in feed) == sorted([
        (first["id"], "gone"), (second["id"], "repeated_failure")])


async def test_a_slow_receiver_never_slows_the_api(client, db, database_url, platform, tmp_path):
    with Receiver() as receiver, running_worker(database_url, tmp_path / "worker.log"):
        receiver.answer(204, delay=2.5)
        endpoint = await create_endpoint(client, platform, f"{receiver.url}/hooks", event_types=["community.*"])
        await new_community(client, platform, "愉景华庭")
        (request,) = await receiver.wait_for(lambda rs: len(rs) == 1)
        path = f"/v1/webhook-endpoints/{endpoint['id']}"
        calls = [
            ("POST", "/v1/communities", {"name": "中环花苑"}, 201),
            ("GET", "/v1/events", None, 200),
            ("POST", f"/v1/webhook-deliveries/{request.webhook_id}/retry", None, 409),  # it is in flight
            ("PATCH", path, {"description": "停用"}, 200),
            ("PATCH", path, {"enabled": False}, 200),
            ("DELETE", path, None, 204),
        ]
        for method, url, body, status in calls:
            started = time.monotonic()
            response = await client.request(method, url, headers=platform.headers(), json=body)
            assert response.status_code == status, (method, url, response.text)
            assert time.monotonic() - started < 1.0, (method, url)  # never waits for the receiver
        assert not receiver.snapshot()[0].answered  # all of it while the receiver was still busy


async def test_a_terminated_worker_finishes_what_it_started(client, db, database_url, platform, tmp_path):
    with Receiver() as receiver:
        receiver.answer(204, delay=1.5)
        endpoint = await create_endpoint(client, platform, f"{receiver.url}/hooks", event_types=["community.*"])
        await new_community(client, platform, "和平桥")
        await new_community(client, platform, "万里")
        with running_worker(database_url, tmp_path / "worker.log") as worker:
            await receiver.wait_for(lambda rs: len(rs) == 1)
            worker.terminate()  # SIGTERM
            assert await asyncio.to_thread(worker.wait, 10) == 0
        first, second = await deliveries(db, endpoint["id"])
        answered = receiver.snapshot()
    assert len(answered) == 1 and answered[0].answered
    assert json.loads(answered[0].body)["id"] == first["event_id"]
    assert first["status"] == "succeeded"  # the one in flight was finished and recorded
    assert second["status"] == "pending" and second["attempts"] == 0  # nothing new was claimed


async def test_a_deadline_that_fell_due_while_no_worker_ran_is_acted_on_at_start(client, db, database_url,
                                                                               platform, tmp_path):
    due = await business_now(db) - timedelta(hours=2)
    async with db.acquire() as conn:
        scheduled = [await schedule_event(conn, street_id=platform.street_id, run_at=due, type="task.overdue",
                                          subject=Subject("task", "tsk_demo"), data={"status": "open"},
                                          dedupe_key=f"{platform.street_id}:tsk_demo:overdue") for _ in range(2)]
    assert scheduled[0] and scheduled[1] is None  # scheduled twice, one job
    with running_worker(database_url, tmp_path / "worker.log"):
        async def overdue():
            page = await client.get("/v1/events", headers=platform.headers(), params={"types": "task.overdue"})
            return page.json()["data"]
        (event,) = await eventually(overdue, timeout=5)
    assert event["subject"] == {"type": "task", "id": "tsk_demo"} and event["data"]["status"] == "open"
    assert event["data"]["due_at"].endswith("Z")
    assert await db.fetchval("SELECT status FROM jobs WHERE id = $1", scheduled[0]) == "done"
