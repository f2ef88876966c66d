"""The events feature's due job: emit an event at a business time (a booking suspension's
end, say), scheduled with ``usecases.events.schedule_event``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from domain.jobs import Job
from store.events import Subject, append_event

EMIT_EVENT_JOB = "event.emit"


class EventSubject(msgspec.Struct, frozen=True):
    type: str
    id: str


class EmitEvent(msgspec.Struct, frozen=True):
    """The payload of EMIT_EVENT_JOB: the event to append, less its time (the job's due time
    goes into its data as ``due_at``)."""

    type: str
    subject: EventSubject
    data: dict[str, Any]
    community_id: str | None = None
    building_id: str | None = None


async def emit_scheduled_event(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    """The handler of EMIT_EVENT_JOB: runs in the job's transaction, so the event and the
    job's completion commit together."""
    payload = msgspec.convert(job.payload, EmitEvent)
    await append_event(conn, type=payload.type, street_id=job.street_id,
                       subject=Subject(payload.subject.type, payload.subject.id),
                       data={**payload.data, "due_at": job.run_at.isoformat().replace("+00:00", "Z")},
                       community_id=payload.community_id, building_id=payload.building_id)
