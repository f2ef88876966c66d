"""The due job of reports: a report still resolved 7 days after resolution closes by itself
(registered in worker/jobs.py HANDLERS; scheduled by usecases/reports.py ``move``)."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import reports as rules
from domain.jobs import Job
from store import reports as store
from usecases.reports import AUTO_CLOSE_JOB, AutoClose, move

__all__ = ["AUTO_CLOSE_JOB", "auto_close"]


async def auto_close(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    payload = msgspec.convert(job.payload, AutoClose)
    report = await store.get(conn, job.street_id, payload.report_id, lock=True)
    if report is not None and rules.report_auto_closes(report.status, report.resolved_at, now):
        await move(conn, report, "closed", "no_feedback", now, None)
