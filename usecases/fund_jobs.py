"""The fund's due job (worker/jobs.py HANDLERS): an expense is posted once its publicity
period has passed (usecases/fund_expenses.py ``post``), in the job's transaction."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain.jobs import Job
from usecases.fund_expenses import POST_JOB, ExpenseJob, post_due

__all__ = ["POST_JOB", "post_expense"]


async def post_expense(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    payload = msgspec.convert(job.payload, ExpenseJob)
    await post_due(conn, job.street_id or "", payload.expense_id, now)
