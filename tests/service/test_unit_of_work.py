"""One unit of work for requests and jobs (service/unit_of_work.py): what the worker's
dispatcher does with it — the claim and the work commit together or not at all, and every
connection goes back to the pool."""

from __future__ import annotations

import asyncio

import pytest

from service.unit_of_work import UnitOfWork
from worker.dispatch import Dispatcher

pytestmark = pytest.mark.xdist_group("uow")


@pytest.fixture
async def table(db):
    await db.execute("CREATE TABLE IF NOT EXISTS uow_probe (n int PRIMARY KEY, done bool NOT NULL DEFAULT false)")
    await db.execute("TRUNCATE uow_probe")
    await db.execute("INSERT INTO uow_probe (n) SELECT generate_series(1, 6)")
    yield "uow_probe"
    await db.execute("DROP TABLE uow_probe")


async def test_the_claim_and_the_work_commit_together_or_not_at_all(db, table):
    due = list(range(1, 7))

    async def claim(conn):  # each item once, locked in the unit's transaction
        return await conn.fetchval("SELECT n FROM uow_probe WHERE n = $1 FOR UPDATE", due.pop(0)) if due else None

    async def work(conn, n):
        await conn.execute("UPDATE uow_probe SET done = true WHERE n = $1", n)
        if n % 2 == 0:
            raise RuntimeError("this item fails after writing")

    dispatcher = Dispatcher("probe", db, slots=2, poll=0.01, claim=claim, work=work)
    stopping = asyncio.Event()
    running = asyncio.create_task(dispatcher.run(stopping))
    while due:
        await asyncio.sleep(0.01)
    stopping.set()  # the dispatcher lets the items in flight finish before it returns
    await asyncio.wait_for(running, 10)
    # The odd items committed; the even ones failed after writing, and their writes went.
    assert [r["n"] for r in await db.fetch("SELECT n FROM uow_probe WHERE done ORDER BY n")] == [1, 3, 5]
    assert db.get_size() == db.get_idle_size()  # every connection is back in the pool


async def test_a_unit_never_committed_leaves_nothing_and_returns_its_connection(db, table):
    uow = UnitOfWork(db)
    conn = await uow.transaction()
    await conn.execute("UPDATE uow_probe SET done = true")
    assert uow.in_transaction
    await uow.release()
    assert await db.fetchval("SELECT count(*) FROM uow_probe WHERE done") == 0
    assert db.get_size() == db.get_idle_size()


async def test_a_committed_unit_keeps_its_change(db, table):
    uow = UnitOfWork(db)
    await (await uow.transaction()).execute("UPDATE uow_probe SET done = true WHERE n = 1")
    await uow.commit()
    await uow.release()
    assert await db.fetchval("SELECT count(*) FROM uow_probe WHERE done") == 1
