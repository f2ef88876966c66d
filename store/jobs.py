"""Due jobs: "run this kind of work at that business time".

A feature schedules a job in the transaction of the change that makes it due (a proposal's
collection deadline, a task's due date), so a job exists exactly when its cause committed.
A worker claims a due job with ``FOR UPDATE SKIP LOCKED`` and runs its handler in that same
transaction: two workers never hold the same job, the job's effects and its ``done`` commit
together, and a worker that dies mid-job rolls all of it back and frees the job at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.ids import new_id
from domain.jobs import Job
from store.rows import model

_COLUMNS = "id, street_id, kind, run_at, payload, status, attempts, last_error, dedupe_key, done_at, done_by"


async def schedule(conn: asyncpg.Connection, *, kind: str, run_at: datetime, payload: dict[str, Any],
                   street_id: str | None = None, dedupe_key: str | None = None) -> str | None:
    """Add a job; with a ``dedupe_key`` already taken, add nothing and return None (a
    deadline scheduled twice runs once). Moving a job: ``reschedule``."""
    return await conn.fetchval(
        """INSERT INTO jobs (id, street_id, kind, run_at, payload, dedupe_key)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (dedupe_key) DO NOTHING RETURNING id""",
        new_id("job"), street_id, kind, run_at, payload, dedupe_key,
    )


async def schedule_many(conn: asyncpg.Connection, due: list[tuple[str, datetime, dict[str, Any], str | None]],
                        *, street_id: str | None = None) -> None:
    """``schedule`` for several jobs — (kind, run_at, payload, dedupe_key) each — at once."""
    await conn.execute(
        """INSERT INTO jobs (id, street_id, kind, run_at, payload, dedupe_key)
           SELECT j.id, $1, j.kind, j.run_at, j.payload, j.dedupe_key
             FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::text[])
                  AS j (id, kind, run_at, payload, dedupe_key)
           ON CONFLICT (dedupe_key) DO NOTHING""",
        street_id, [new_id("job") for _ in due], [d[0] for d in due], [d[1] for d in due],
        [d[2] for d in due], [d[3] for d in due])


async def reschedule(conn: asyncpg.Connection, dedupe_key: str, run_at: datetime) -> bool:
    """Move a pending job (a deadline that changed); False when none is pending."""
    status = await conn.execute(
        """UPDATE jobs SET run_at = $2, updated_at = clock_timestamp()
           WHERE dedupe_key = $1 AND status = 'pending'""", dedupe_key, run_at)
    return status == "UPDATE 1"


async def claim(conn: asyncpg.Connection, now: datetime, kinds: list[str]) -> Job | None:
    """In a transaction: lock one job of a kind this worker knows that is due at ``now``."""
    return model(Job, await conn.fetchrow(
        f"""SELECT {_COLUMNS} FROM jobs
            WHERE status = 'pending' AND run_at <= $1 AND kind = ANY ($2::text[])
            ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED""",
        now, kinds,
    ))


async def finish(conn: asyncpg.Connection, job_id: str, worker: str) -> None:
    await conn.execute(
        """UPDATE jobs SET status = 'done', attempts = attempts + 1, done_at = clock_timestamp(),
                  done_by = $2, last_error = NULL, updated_at = clock_timestamp()
           WHERE id = $1""",
        job_id, worker,
    )


async def failed_attempt(conn: asyncpg.Connection, job_id: str, *, error: str,
                         retry_at: datetime | None) -> None:
    """A handler raised: try again at ``retry_at``, or give up (None)."""
    await conn.execute(
        """UPDATE jobs SET attempts = attempts + 1, last_error = $2,
                  status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
                  run_at = coalesce($3, run_at), updated_at = clock_timestamp()
           WHERE id = $1""",
        job_id, error, retry_at,
    )


async def delete_finished_before(conn: asyncpg.Connection, cutoff: datetime, batch: int) -> int:
    status = await conn.execute(
        """DELETE FROM jobs WHERE id IN (
               SELECT id FROM jobs WHERE status <> 'pending' AND updated_at < $1 LIMIT $2)""",
        cutoff, batch,
    )
    return int(status.split()[-1])
