"""A worker process with one more job kind, the way a feature plugs in its handler: the
``test.record`` job takes a little while, notes each run in a file (outside any
transaction, so a run that rolled back would show too) and appends an event.

    python -m tests.support.job_worker RUNS_FILE"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime

import asyncpg

from domain.jobs import Job
from service.logging import configure_logging
from service.settings import load_settings
from store.events import Subject, append_event
from worker.jobs import HANDLERS
from worker.main import run_worker

RUNS_FILE = sys.argv[1] if len(sys.argv) > 1 else os.devnull


async def record(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    await asyncio.sleep(0.03)
    with open(RUNS_FILE, "a") as runs:  # one short append: atomic between processes
        runs.write(f"{job.id} {os.getpid()}\n")
    await append_event(conn, type="test.recorded", street_id=job.street_id, subject=Subject("job", job.id),
                       data={"n": job.payload["n"]})


if __name__ == "__main__":
    HANDLERS["test.record"] = record
    settings = load_settings()
    configure_logging(settings.log_level)
    asyncio.run(run_worker(settings))
