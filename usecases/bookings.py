"""Bookings: requested by persons for a household (or a partner organisation), checked
against the space's rules, serialised per space by the space's row lock, and moved through
their statuses by bookers and approvers (the service's own moves are in bookings_jobs.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import msgspec

from domain import bookings as rules
from domain.bookings import Booking
from domain.errors import Conflict, RuleViolation
from domain.ids import new_id
from domain.permissions import Actor, Principal
from domain.spaces import Party, Space, party_for
from store import bookings
from store.paging import Keyset
from usecases.actors import actor_for
from usecases.bookings_jobs import COMPLETE_JOB, NO_SHOW_JOB, BookingDue, booking_event, stamp
from usecases.kernel import person_of, place_of, schedule_jobs, visible_or_404
from usecases.spaces import space_by_feed_token, visible_space

Precondition = Callable[[Booking], None]


# Commands

class BookingRequest(msgspec.Struct, kw_only=True):
    start_at: datetime
    end_at: datetime
    purpose: str = ""
    attendees: int
    household_id: str | None = None


class SeriesRequest(BookingRequest, kw_only=True):
    weekly_count: int = 1
    on_conflict: str = "fail"  # "fail": the first refusal refuses all; "skip": go on


async def _check_quota(conn: asyncpg.Connection, terms: rules.SpaceTerms, household_id: str | None,
                       start: datetime, end: datetime, exempt: bool) -> None:
    if household_id is not None and terms.rules.weekly_quota_minutes is not None and not exempt:
        week_start, week_end = rules.quota_week(start, terms.zone)
        used = await bookings.minutes_in(conn, household_id, week_start, week_end)
        if rules.over_quota(terms.rules, used, start, end, exempt=exempt):
            raise RuleViolation("quota_exceeded")


def _conflict(clash: tuple[datetime, datetime], timezone: str) -> Conflict:
    # The API shows the range both as data (UTC) and, in its detail, in the space's local time.
    return Conflict("booking_conflict", {"start_at": stamp(clash[0]), "end_at": stamp(clash[1]),
                                         "timezone": timezone})


async def _book(conn: asyncpg.Connection, actor: Actor, space: Space, party: Party, start: datetime,
                end: datetime, request: BookingRequest, now: datetime, *, exempt: bool,
                series_id: str | None = None) -> Booking:
    """One booking of [start, end), under the space's row lock (held by the caller)."""
    terms = space.terms
    code = rules.rule_violation(terms, start, end, now, attendees=request.attendees, exempt=exempt)
    if code is not None:
        raise RuleViolation(code)
    clash, suspended = await bookings.obstacles(conn, space.id, party.household_id, start, end, now)
    if clash is not None:
        raise _conflict(clash, space.timezone)
    if suspended is not None:
        raise RuleViolation("booking_suspended")
    await _check_quota(conn, terms, party.household_id, start, end, exempt)
    status = rules.initial_status(terms.rules, exempt=exempt)
    try:
        booking = await bookings.insert(conn, {
            "id": new_id("booking"), "street_id": space.street_id, "space_id": space.id,
            "community_id": space.community_id, "building_id": space.building_id,
            "household_id": party.household_id, "organization_id": party.organization_id,
            "person_id": actor.person_id, "series_id": series_id, "start_at": start, "end_at": end,
            "purpose": request.purpose, "attendees": request.attendees, "status": status,
            "confirmed_at": now if status == "confirmed" else None}, savepoint=series_id is not None)
    except bookings.Clash:  # only if the lock was not held: the constraint still decides
        if series_id is None:  # (the transaction is aborted: nothing more can be read in it)
            raise _conflict((start, end), space.timezone) from None
        raise _conflict(await bookings.first_overlap(conn, space.id, start, end) or (start, end),
                        space.timezone) from None
    due = BookingDue(booking_id=booking.id)
    await schedule_jobs(conn, [
        (NO_SHOW_JOB, start + rules.CHECK_IN_AFTER, due, f"{NO_SHOW_JOB}:{booking.id}"),
        (COMPLETE_JOB, end, due, f"{COMPLETE_JOB}:{booking.id}")], street_id=booking.street_id)
    await booking_event(conn, "booking.created", booking)
    return booking


async def create_booking(conn: asyncpg.Connection, who: Principal, space_id: str, request: BookingRequest,
                         now: datetime) -> Booking:
    actor = await actor_for(conn, who)
    space = await visible_space(conn, actor, space_id, for_update=True)  # serialises this space's bookings
    leader = actor.leader_of(place_of(space))
    party = party_for(actor, space, request.household_id, leader=leader)
    return await _book(conn, actor, space, party, request.start_at, request.end_at, request, now,
                       exempt=rules.exempt(leader))


async def create_series(conn: asyncpg.Connection, who: Principal, space_id: str, request: SeriesRequest,
                        now: datetime) -> tuple[str, list[Booking], list[tuple[datetime, datetime, str]]]:
    """Weekly occurrences, each checked like a single booking; leaders are exempt from the
    window and the quota. ``fail``: the first refusal refuses all (the transaction rolls back)."""
    actor = await actor_for(conn, who)
    space = await visible_space(conn, actor, space_id, for_update=True)
    leader = actor.leader_of(place_of(space))
    party = party_for(actor, space, request.household_id, leader=leader)
    series_id, created, skipped = new_id("booking_series"), [], []
    for start, end in rules.occurrences(request.start_at, request.end_at, request.weekly_count, space.terms.zone):
        try:
            created.append(await _book(conn, actor, space, party, start, end, request, now,
                                       exempt=rules.exempt(leader), series_id=series_id))
        except (RuleViolation, Conflict) as refusal:
            if request.on_conflict == "fail":
                raise
            skipped.append((start, end, refusal.code))
    return series_id, created, skipped


# Reading

def _visible(actor: Actor, booking: Booking | None) -> Booking:
    return visible_or_404(booking, lambda found: rules.may_see_booking(actor, found))


async def get_booking(conn: asyncpg.Connection, who: Principal, booking_id: str) -> Booking:
    actor = await actor_for(conn, who)
    return _visible(actor, await bookings.get(conn, who.street_id, booking_id))


async def my_bookings(conn: asyncpg.Connection, who: Principal, keyset: Keyset) -> list[Booking]:
    actor = await actor_for(conn, who)
    return await bookings.page(conn, who.street_id, keyset, person_id=person_of(actor),
                               household_ids=sorted(actor.grants.households))


async def space_bookings(conn: asyncpg.Connection, who: Principal, space_id: str,
                         keyset: Keyset) -> tuple[list[Booking], bool]:
    """Leaders see every booking in full; others the active ones as busy ranges only."""
    actor = await actor_for(conn, who)
    space = await visible_space(conn, actor, space_id)
    full = actor.leader_of(place_of(space), write=False)
    return await bookings.page(conn, who.street_id, keyset, space_id=space_id, active_only=not full), full


async def availability(conn: asyncpg.Connection, who: Principal, space_id: str, start: datetime, end: datetime,
                       now: datetime) -> tuple[Space, list[tuple[datetime, datetime]]]:
    """The free ranges of a space in [start, end), by the same rules a booking is checked by."""
    if end <= start or end - start > rules.MAX_AVAILABILITY_SPAN:
        raise RuleViolation("invalid_period")
    space = await visible_space(conn, await actor_for(conn, who), space_id)
    busy = await bookings.busy(conn, space_id, start, end)
    return space, rules.free_ranges(space.terms, start, end, now, busy)


async def calendar_feed(conn: asyncpg.Connection, space_id: str, token: str,
                        now: datetime) -> tuple[Space, list[Booking]]:
    """The space's busy times, for whoever holds its feed token (404 otherwise)."""
    space = await space_by_feed_token(conn, space_id, token)
    return space, await bookings.calendar(conn, space_id, now - timedelta(days=30))


# Transitions

async def transition(conn: asyncpg.Connection, who: Principal, booking_id: str, wanted: str, now: datetime,
                     precondition: Precondition) -> Booking:
    actor = await actor_for(conn, who)
    current = _visible(actor, await bookings.get(conn, who.street_id, booking_id, for_update=True))
    precondition(current)
    leader, booker = rules.manages(actor, current), rules.is_booker(actor, current)
    notice: Any = None
    if rules.needs_cancel_notice(wanted, leader=leader) and rules.may_move(current.status, wanted):
        notice = (await visible_space(conn, actor, current.space_id)).rules
    rules.check_transition(current, wanted, now, leader=leader, booker=booker, rules=notice)
    moved = await bookings.move(conn, booking_id, wanted, now)
    await booking_event(conn, "booking.status_changed", moved, previous_status=current.status)
    return moved


# An activity's booking (the activities feature books its space through these)

async def book_for_activity(conn: asyncpg.Connection, who: Principal, space_id: str, start: datetime,
                            end: datetime, purpose: str, now: datetime, *, replaces: str | None = None) -> Booking:
    """Book a space for an activity's time, as a leader books: the space's rules of hours and
    length hold, the booking window and the quota do not, and it is confirmed at once; the
    no-double-booking guarantee is the same (the space's row lock, then the exclusion
    constraint): a clash is 409 ``booking_conflict``. ``replaces``: the activity's earlier
    booking, cancelled first in the same transaction (the activity moved)."""
    actor = await actor_for(conn, who)
    space = await visible_space(conn, actor, space_id, for_update=True)
    if replaces is not None:
        await release_for_activity(conn, replaces, now)
    code = rules.rule_violation(space.terms, start, end, now, exempt=True)
    if code is not None:
        raise RuleViolation(code)
    clash = await bookings.first_overlap(conn, space.id, start, end)
    if clash is not None:
        raise _conflict(clash, space.timezone)
    try:
        booking = await bookings.insert(conn, {
            "id": new_id("booking"), "street_id": space.street_id, "space_id": space.id,
            "community_id": space.community_id, "building_id": space.building_id, "household_id": None,
            "organization_id": None, "person_id": actor.person_id, "series_id": None, "start_at": start,
            "end_at": end, "purpose": purpose, "attendees": 1, "status": "confirmed", "confirmed_at": now})
    except bookings.Clash:
        raise _conflict((start, end), space.timezone) from None
    await booking_event(conn, "booking.created", booking)
    return booking


async def release_for_activity(conn: asyncpg.Connection, booking_id: str, now: datetime) -> None:
    """An activity cancelled or moved: its booking, while it still holds the space, is cancelled."""
    booking = await bookings.get_for_job(conn, booking_id)
    if booking is not None and booking.status in rules.ACTIVE:
        moved = await bookings.move(conn, booking.id, "cancelled", now)
        await booking_event(conn, "booking.status_changed", moved, previous_status=booking.status)


async def complete_for_activity(conn: asyncpg.Connection, booking_id: str, now: datetime) -> None:
    """An activity finished: its booking is completed."""
    booking = await bookings.get_for_job(conn, booking_id)
    if booking is not None and booking.status in ("confirmed", "checked_in"):
        moved = await bookings.move(conn, booking.id, "completed", now)
        await booking_event(conn, "booking.status_changed", moved, previous_status=booking.status)
