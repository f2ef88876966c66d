"""The yearly expiry of points (when the street sets ``points_expiry: calendar_year``): a due
job at 00:00 on 1 January plus the grace days, in the street's time zone. Each run schedules
the next; a run whose due time no longer matches the settings (expiry turned off, the grace
changed: that change scheduled its own) does nothing. Registered in worker/jobs.py HANDLERS."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import points as rules
from domain.jobs import Job
from domain.points import StreetSettings
from store import points as store
from usecases import points
from usecases.kernel import schedule_job

EXPIRY_JOB = "points.expire"


class ExpiryRun(msgspec.Struct, kw_only=True):
    year: int  # the run of 1 January of this year (plus grace): what was earned before last year goes
    due_at: datetime


async def schedule_expiry(conn: asyncpg.Connection, settings: StreetSettings, zone: str, now: datetime) -> None:
    year, due = rules.next_expiry(now, settings.points_expiry_grace_days, zone)
    await schedule_job(conn, EXPIRY_JOB, due, ExpiryRun(year=year, due_at=due), street_id=settings.street_id,
                       dedupe_key=f"{EXPIRY_JOB}:{settings.street_id}:{due.isoformat()}")


async def expire(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    run = msgspec.convert(job.payload, ExpiryRun)
    street = job.street_id
    assert street is not None
    settings = await store.settings(conn, street, lock=True)
    zone = await store.timezone_of(conn, street)
    if settings.points_expiry != "calendar_year" or \
            rules.expiry_due_at(run.year, settings.points_expiry_grace_days, zone) != run.due_at:
        return
    await points.expire_year(conn, street, run.year, now)
    await schedule_expiry(conn, settings, zone, max(now, run.due_at))
