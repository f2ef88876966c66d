"""The due jobs of announcements: published at ``publish_at`` and expired at ``expires_at`` by
the service (registered in worker/jobs.py HANDLERS; scheduled by usecases/announcements.py)."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain.jobs import Job
from usecases.announcements import EXPIRE_JOB, PUBLISH_JOB, Due, due_one

__all__ = ["EXPIRE_JOB", "PUBLISH_JOB", "expire", "publish"]


async def publish(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    payload = msgspec.convert(job.payload, Due)
    await due_one(conn, job.street_id or "", payload.announcement_id, PUBLISH_JOB, now)


async def expire(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    payload = msgspec.convert(job.payload, Due)
    await due_one(conn, job.street_id or "", payload.announcement_id, EXPIRE_JOB, now)
