"""An activity finishes by itself at its ``ends_at`` (registered in worker/jobs.py HANDLERS).
A moved activity gets a job for its new end; the job of an old end finds it not yet due and
does nothing."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import activities as rules
from domain.activities import Activity
from domain.jobs import Job
from store import activities as store
from usecases import bookings
from usecases.kernel import record_event, schedule_job

FINISH_JOB = "activity.finish"


class ActivityEnds(msgspec.Struct, kw_only=True):
    activity_id: str


async def schedule_finish(conn: asyncpg.Connection, activity: Activity) -> None:
    await schedule_job(conn, FINISH_JOB, activity.ends_at, ActivityEnds(activity_id=activity.id),
                       street_id=activity.street_id,
                       dedupe_key=f"{FINISH_JOB}:{activity.id}:{activity.ends_at.isoformat()}")


async def finish(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    """A published activity past its end: finished; its booking completed."""
    due = msgspec.convert(job.payload, ActivityEnds)
    activity = await store.get_for_job(conn, due.activity_id)
    if activity is None or activity.status != rules.PUBLISHED or now < activity.ends_at:
        return
    finished = await store.move(conn, activity.id, rules.FINISHED, now)
    if finished.booking_id is not None:
        await bookings.complete_for_activity(conn, finished.booking_id, now)
    await record_event(conn, "activity.finished", "activity", finished, {"status": finished.status,
                                                                        "from": activity.status})
