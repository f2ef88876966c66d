"""Run the due jobs of some kinds as a worker would (claim, handle, finish in one
transaction), in the test's own process: deadlines without sleeping or a worker process."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from service.settings import Settings
from usecases.clock import BusinessClock
from usecases.crypto import Sealer
from worker.jobs import JobRunner, handlers

# The tests' services use the default (development) data key; so do the jobs they run.
HANDLERS = handlers(Sealer(Settings().data_key_bytes))


async def run_due_jobs_of(db: asyncpg.Pool, kinds: Iterable[str]) -> int:
    runner = JobRunner(db, BusinessClock(enabled=True, ttl=0), "tests",
                       handlers={kind: HANDLERS[kind] for kind in kinds})
    ran = 0
    while True:
        async with db.acquire() as conn, conn.transaction():
            if not await runner.run_one(conn):
                return ran
        ran += 1
