"""Due jobs: the handler registry and the runner.

A feature that has something to do at a business time (a proposal's collection deadline, a
task falling overdue, a booking's no-show) schedules a job with ``store.jobs.schedule`` in
the transaction of its change and adds its handler to HANDLERS. The handler runs in the
job's own transaction (see worker/dispatch.py): what it writes and the job's ``done``
commit together, so a job's effects happen exactly once, however many workers run."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import datetime

import asyncpg
import structlog

from domain.jobs import Job
from domain.retry import Backoff
from store import jobs
from usecases import (
    activities_jobs,
    agreements_jobs,
    announcements_jobs,
    bookings_jobs,
    campaigns_jobs,
    fund_jobs,
    imports_jobs,
    points_jobs,
    proposals_jobs,
    reports_jobs,
    rewards_jobs,
    tasks_jobs,
)
from usecases.clock import BusinessClock
from usecases.crypto import Sealer
from usecases.events_jobs import EMIT_EVENT_JOB, emit_scheduled_event
from worker.dispatch import Dispatcher

log = structlog.get_logger("bilin.worker")

# handler(conn, job, business_now): do the job's work on ``conn``, inside the job's transaction.
JobHandler = Callable[[asyncpg.Connection, Job, datetime], Awaitable[None]]

HANDLERS: dict[str, JobHandler] = {
    EMIT_EVENT_JOB: emit_scheduled_event,
    bookings_jobs.NO_SHOW_JOB: bookings_jobs.apply_no_show,
    bookings_jobs.COMPLETE_JOB: bookings_jobs.apply_completion,
    proposals_jobs.COLLECT_DEADLINE_JOB: proposals_jobs.close_collection,
    proposals_jobs.VOTE_CLOSE_JOB: proposals_jobs.close_vote,
    proposals_jobs.EVALUATION_END_JOB: proposals_jobs.end_evaluation,
    tasks_jobs.OVERDUE_JOB: tasks_jobs.mark_overdue,
    tasks_jobs.ESCALATE_JOB: tasks_jobs.escalate,
    reports_jobs.AUTO_CLOSE_JOB: reports_jobs.auto_close,
    points_jobs.EXPIRY_JOB: points_jobs.expire,
    rewards_jobs.EXPIRE_JOB: rewards_jobs.expire_hold,
    **agreements_jobs.HANDLERS,
    campaigns_jobs.ADVANCE_JOB: campaigns_jobs.advance,
    activities_jobs.FINISH_JOB: activities_jobs.finish,
    fund_jobs.POST_JOB: fund_jobs.post_expense,
    announcements_jobs.PUBLISH_JOB: announcements_jobs.publish,
    announcements_jobs.EXPIRE_JOB: announcements_jobs.expire,
}



def handlers(sealer: Sealer) -> dict[str, JobHandler]:
    """Every job's handler: HANDLERS, and the ones that need the service's data key, bound to
    it (the worker builds its runner with this; so do the tests that run jobs)."""
    return {**HANDLERS, **imports_jobs.handlers(sealer)}


# A handler that raises is tried again later, then given up (status `failed`, with its error).
JOB_BACKOFF = Backoff((10, 60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600), jitter=0.2)
JOB_TIMEOUT = "60s"  # a handler's statements may not hold the job longer


class JobRunner:
    def __init__(self, pool: asyncpg.Pool, clock: BusinessClock, worker_name: str, *,
                 handlers: dict[str, JobHandler] | None = None, slots: int = 4, poll: float = 0.5) -> None:
        self.clock = clock
        self.worker_name = worker_name
        self.handlers = handlers if handlers is not None else HANDLERS
        self.dispatcher = Dispatcher("jobs", pool, slots=slots, poll=poll, claim=self._claim, work=self._work)

    async def run(self, stopping: asyncio.Event) -> None:
        await self.dispatcher.run(stopping)

    async def run_one(self, conn: asyncpg.Connection) -> bool:
        """Claim and run one due job in the caller's transaction, as the loop does; False when
        nothing is due. (The tests drive deadlines with it, without a process.)"""
        claimed = await self._claim(conn)
        if claimed is None:
            return False
        await self._work(conn, claimed)
        return True

    async def _claim(self, conn: asyncpg.Connection) -> tuple[asyncpg.Record, datetime] | None:
        now = await self.clock.now(conn)
        job = await jobs.claim(conn, now, sorted(self.handlers))
        return None if job is None else (job, now)

    async def _work(self, conn: asyncpg.Connection, claimed: tuple[asyncpg.Record, datetime]) -> None:
        job, now = claimed
        try:
            async with conn.transaction():  # a savepoint: a failing handler leaves nothing behind
                await conn.execute(f"SET LOCAL statement_timeout = '{JOB_TIMEOUT}'")
                await self.handlers[job.kind](conn, job, now)
                await jobs.finish(conn, job.id, self.worker_name)
        except Exception as error:
            next_try = JOB_BACKOFF.next_try(job.attempts + 1, now, random.random())
            log.warning("job_failed", job_id=job.id, kind=job.kind, attempts=job.attempts + 1,
                        error=type(error).__name__, gives_up=next_try is None)
            await jobs.failed_attempt(conn, job.id, error=type(error).__name__, retry_at=next_try)
            return
        log.info("job_done", job_id=job.id, kind=job.kind)
