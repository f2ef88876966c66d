"""The due jobs of bookings (registered in worker/jobs.py): a no-show 15 minutes after the
start, completion at the end, and the end of a household's suspension (an event emitted at
its business time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from domain import bookings as rules
from domain.bookings import Booking
from domain.ids import new_id
from domain.jobs import Job
from store import bookings
from store.events import Subject, append_event
from store.rows import snapshot
from usecases.events import schedule_event
from usecases.kernel import record_event

NO_SHOW_JOB = "booking.no_show"
COMPLETE_JOB = "booking.complete"
SUSPENSION_ENDED = "booking.suspension_ended"


class BookingDue(msgspec.Struct):
    """The payload of NO_SHOW_JOB and COMPLETE_JOB."""

    booking_id: str


def stamp(moment: datetime) -> str:
    return moment.astimezone(rules.UTC).isoformat().replace("+00:00", "Z")


async def booking_event(conn: asyncpg.Connection, type: str, booking: Booking, **extra: Any) -> None:
    await record_event(conn, type, "booking", booking, {"booking": snapshot(booking), **extra})


async def _due(conn: asyncpg.Connection, job: Job) -> Booking | None:
    payload = msgspec.convert(job.payload, BookingDue)
    return await bookings.get_for_job(conn, payload.booking_id)


async def apply_no_show(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    """15 minutes after the start: a confirmed booking nobody checked in to is a no-show; the
    third in 30 days suspends the household's booking right for 14 days."""
    booking = await _due(conn, job)
    if booking is None or booking.status != "confirmed":
        return
    booking = await bookings.move(conn, booking.id, "no_show", now)
    await booking_event(conn, "booking.status_changed", booking, previous_status="confirmed")
    household = booking.household_id
    if household is None:
        return
    await bookings.lock_household_record(conn, household)  # the count below sees every other no-show
    if await bookings.suspended_until(conn, household, now) is not None:
        return
    if await bookings.no_shows_since(conn, household, now - rules.NO_SHOW_WINDOW) >= rules.NO_SHOW_LIMIT:
        await _suspend(conn, booking, household, now)


async def _suspend(conn: asyncpg.Connection, booking: Booking, household: str, now: datetime) -> None:
    suspension_id, ends = new_id("booking_suspension"), now + rules.SUSPENSION
    await bookings.suspend(conn, id=suspension_id, street_id=booking.street_id, household_id=household,
                           starts_at=now, ends_at=ends)
    # The household is the subject (not the booking), so the outbox is written directly.
    data = {"household_id": household, "starts_at": stamp(now), "ends_at": stamp(ends)}
    where = {"community_id": booking.community_id, "building_id": booking.building_id}
    await append_event(conn, type="booking.household_suspended", street_id=booking.street_id,
                       subject=Subject("household", household), data=data, **where)
    await schedule_event(conn, street_id=booking.street_id, run_at=ends, type=SUSPENSION_ENDED,
                         subject=Subject("household", household), data=data, **where,
                         dedupe_key=f"{SUSPENSION_ENDED}:{suspension_id}")


async def apply_completion(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    """At the end: a checked-in booking is completed."""
    booking = await _due(conn, job)
    if booking is None or booking.status != "checked_in":
        return
    moved = await bookings.move(conn, booking.id, "completed", now)
    await booking_event(conn, "booking.status_changed", moved, previous_status="checked_in")
