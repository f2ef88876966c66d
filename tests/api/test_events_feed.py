"""GET /v1/events: a gap-free feed. Many connections commit and roll back at once, with
sequence numbers committing out of order, while the feed is read and relayed concurrently:
the reader sees every committed event exactly once, in order, and no rolled-back one."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import asyncpg
import pytest

from domain.clock import real_now
from store.db import init_connection
from store.events import Subject, append_event
from tests.support.platform import new_street_client, sign_in
from usecases.events import relay
from worker.maintenance import prune


async def read_feed(client, platform, cursor: str | None = None, **params) -> dict:
    query = {"limit": 100, **params, **({"after": cursor} if cursor else {})}
    response = await client.get("/v1/events", headers=platform.headers(), params=query)
    assert response.status_code == 200, response.text
    return response.json()


async def read_all(client, platform, cursor: str | None = None, **params) -> tuple[list[dict], str | None]:
    events = []
    while True:
        page = await read_feed(client, platform, cursor, **params)
        events += page["data"]
        cursor = page["next_cursor"] or cursor
        if not page["has_more"]:
            return events, cursor


async def test_an_event_that_commits_late_with_a_smaller_number_is_not_skipped(client, database_url, platform):
    """The race a feed paged by sequence number loses: number 1 commits after number 2 was read."""
    slow, fast = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    for conn in (slow, fast):
        await init_connection(conn)
    try:
        slow_tx = slow.transaction()
        await slow_tx.start()
        early = await append_event(slow, type="test.slow", street_id=platform.street_id,
                                   subject=Subject("test", "1"), data={})
        late = await append_event(fast, type="test.fast", street_id=platform.street_id,
                                  subject=Subject("test", "2"), data={})  # autocommits at once
        first, cursor = await read_all(client, platform)
        assert [e["id"] for e in first] == [late]
        await slow_tx.commit()
        second, _ = await read_all(client, platform, cursor)
        assert [e["id"] for e in second] == [early]  # seen, although its sequence number is smaller
    finally:
        await slow.close()
        await fast.close()


async def test_concurrent_commits_and_rollbacks_appear_exactly_once_in_order(client, database_url, platform):
    writers, transactions_each = 12, 12
    committed: list[list[str]] = [[] for _ in range(writers)]  # per writer, in commit order
    rolled_back: set[str] = set()
    done = asyncio.Event()
    rng = random.Random(4)

    async def writer(index: int) -> None:
        conn = await asyncpg.connect(database_url)
        await init_connection(conn)
        try:
            for n in range(transactions_each):
                tx = conn.transaction()
                await tx.start()
                ids = [await append_event(conn, type="test.write", street_id=platform.street_id,
                                          subject=Subject("writer", str(index)), data={"n": n, "k": k})
                       for k in range(rng.randint(1, 3))]
                await asyncio.sleep(rng.random() * 0.03)  # hold it open: commits land out of seq order
                if rng.random() < 0.3:
                    await tx.rollback()
                    rolled_back.update(ids)
                else:
                    await tx.commit()
                    committed[index].extend(ids)
        finally:
            await conn.close()

    async def worker_relay() -> None:  # a worker relaying beside the API's own relay
        conn = await asyncpg.connect(database_url)
        await init_connection(conn)
        try:
            while not done.is_set():
                await relay(conn, real_now())
                await asyncio.sleep(0.005)
        finally:
            await conn.close()

    seen: list[dict] = []

    async def reader() -> None:
        cursor = None
        while True:
            finished = relay_task.done()  # once more after the writers and the other relay finished
            page = await read_feed(client, platform, cursor, limit=7)
            seen.extend(page["data"])
            cursor = page["next_cursor"] or cursor
            if finished and not page["has_more"]:
                return
            await asyncio.sleep(0.002)

    relay_task, reader_task = asyncio.create_task(worker_relay()), asyncio.create_task(reader())
    await asyncio.gather(*(writer(i) for i in range(writers)))
    done.set()
    await asyncio.gather(relay_task, reader_task)

    seen_ids = [e["id"] for e in seen]
    all_committed = {i for ids in committed for i in ids}
    assert len(seen_ids) == len(set(seen_ids)), "an event was delivered twice"
    assert set(seen_ids) == all_committed, "an event is missing"
    assert not set(seen_ids) & rolled_back
    for ids in committed:  # each writer's later commit comes after its earlier one
        assert [i for i in seen_ids if i in set(ids)] == ids
    # The feed order is the numbering, and the numbering is not the sequence order: commits
    # really landed out of order, which a feed paged by sequence number would have got wrong.
    rows = await _positions(database_url, platform.street_id)
    assert seen_ids == [r["id"] for r in sorted(rows, key=lambda r: r["position"])]
    assert [r["id"] for r in sorted(rows, key=lambda r: r["seq"])] != seen_ids


async def _positions(database_url: str, street_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch("SELECT id, seq, position FROM events WHERE street_id = $1", street_id)
    finally:
        await conn.close()


async def test_the_feed_pages_filters_and_stays_in_its_street(client, database_url, platform, other_platform):
    community = (await client.post("/v1/communities", headers=platform.headers(), json={"name": "愉景华庭"})).json()
    building = (await client.post(f"/v1/communities/{community['id']}/buildings", headers=platform.headers(),
                                  json={"name": "12 号楼"})).json()
    await client.patch(f"/v1/buildings/{building['id']}", headers=platform.headers(), json={"floors": 18})
    await client.post("/v1/communities", headers=other_platform.headers(), json={"name": "中环花苑"})

    page = await read_feed(client, platform, limit=2)
    assert [e["type"] for e in page["data"]] == ["community.created", "building.created"]
    assert page["has_more"] is True and page["next_cursor"]
    event = page["data"][1]
    assert event["subject"] == {"type": "building", "id": building["id"]}
    assert event["community_id"] == community["id"] and event["building_id"] == building["id"]
    assert event["street_id"] == platform.street_id and event["occurred_at"].endswith("Z")
    assert event["data"]["building"]["floors"] is None and "name" not in event["data"]["building"]  # no free text
    rest = await read_feed(client, platform, page["next_cursor"], limit=2)
    assert [e["type"] for e in rest["data"]] == ["building.updated"] and rest["has_more"] is False
    caught_up = await read_feed(client, platform, rest["next_cursor"])
    assert caught_up["data"] == [] and caught_up["next_cursor"] == rest["next_cursor"]  # poll from here

    only = await read_feed(client, platform, types="building.*")
    assert [e["type"] for e in only["data"]] == ["building.created", "building.updated"]
    exact = await read_feed(client, platform, types="community.created,building.updated")
    assert [e["type"] for e in exact["data"]] == ["community.created", "building.updated"]

    theirs = await read_feed(client, other_platform)
    assert [e["type"] for e in theirs["data"]] == ["community.created"]
    assert theirs["data"][0]["street_id"] == other_platform.street_id


@pytest.mark.parametrize("params", [{"after": "garbage"}, {"after": "e"}, {"after": "e1000000000000000"},
                                    {"after": "E1"}, {"after": "e1\n"}, {"types": "Task"}, {"types": "task.created "},
                                    {"types": "task.created,*"}, {"limit": 0}, {"limit": 101}])
async def test_bad_feed_queries_are_400(client, platform, params):
    response = await client.get("/v1/events", headers=platform.headers(), params=params)
    assert response.status_code == 400, response.text


async def test_only_platform_clients_with_a_read_scope_read_the_feed(client, database_url):
    no_read = await sign_in(client, await new_street_client(database_url, scopes=frozenset({"webhooks:manage"})))
    refused = await client.get("/v1/events", headers=no_read.headers())
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    assert (await client.get("/v1/events")).status_code == 401


async def test_retention_deletes_old_numbered_events_only(client, db, platform):
    await client.post("/v1/communities", headers=platform.headers(), json={"name": "万象西园"})
    await read_feed(client, platform)  # numbered now
    async with db.acquire() as conn:
        old = await append_event(conn, type="test.old", street_id=platform.street_id, subject=Subject("t", "1"),
                                 data={}, occurred_at=real_now() - timedelta(days=36))
        await read_feed(client, platform)
        unnumbered_old = await append_event(conn, type="test.old", street_id=platform.street_id,
                                            subject=Subject("t", "2"), data={},
                                            occurred_at=real_now() - timedelta(days=40))
        await prune(conn, retention_days=35)
        left = await conn.fetch("SELECT id FROM events WHERE street_id = $1", platform.street_id)
    ids = {r["id"] for r in left}
    assert old not in ids and unnumbered_old in ids and len(ids) == 2  # not numbered yet: kept
    feed = await read_feed(client, platform)
    assert [e["type"] for e in feed["data"]] == ["community.created", "test.old"]


async def test_a_cursor_reveals_no_position_and_only_its_own_street_reads_it(client, platform, other_platform):
    """The cursor seals the platform-wide position: a street cannot measure another's activity."""
    for i in range(30):  # the other street is busy
        await client.post("/v1/communities", headers=other_platform.headers(), json={"name": f"社区{i}"})
    await client.post("/v1/communities", headers=platform.headers(), json={"name": "嘉富社区"})
    mine = await read_feed(client, platform)
    theirs, _ = await read_all(client, other_platform)
    assert len(mine["data"]) == 1 and len(theirs) == 30
    cursor = mine["next_cursor"]
    position = mine["data"][0]  # the feed never shows a position; the cursor must not either
    assert "position" not in position
    for plain in (f"e{n:x}" for n in range(64)):
        assert cursor != plain
    again = await read_feed(client, platform)
    assert again["next_cursor"] != cursor  # sealed afresh each time: two cursors cannot be compared
    assert (await read_feed(client, platform, cursor))["data"] == []
    foreign = await client.get("/v1/events", headers=other_platform.headers(), params={"after": cursor})
    assert foreign.status_code == 400 and foreign.json()["code"] == "invalid_cursor"
    tampered = cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]
    refused = await client.get("/v1/events", headers=platform.headers(), params={"after": tampered})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_cursor"
    for legacy in ("e0", "e1f"):  # plain positions are no cursors
        old = await client.get("/v1/events", headers=platform.headers(), params={"after": legacy})
        assert old.status_code == 400, old.text
