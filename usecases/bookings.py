"""Bookings: requested by persons for a household (or a partner organisation), checked
against the space's rules, serialised per space by the space's row lock, and moved through
their statuses by bookers, approvers and — for no-shows and completion — the service itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from domain import bookings as rules
from domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from domain.ids import new_id
from domain.permissions import Actor, Place, Principal
from store import bookings, jobs
from store.events import Subject, append_event
from store.paging import Keyset
from store.rows import snapshot
from usecases.actors import actor_for
from usecases.events import schedule_event
from usecases.spaces import partner_organizations, qualifying_households, space_place, terms_of, visible_space

NO_SHOW_JOB = "booking.no_show"
COMPLETE_JOB = "booking.complete"


@dataclass(frozen=True)
class Request:
    start_at: datetime
    end_at: datetime
    purpose: str
    attendees: int
    household_id: str | None = None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(rules.UTC).isoformat().replace("+00:00", "Z")


async def _event(conn: asyncpg.Connection, type: str, row: asyncpg.Record, **extra: Any) -> None:
    await append_event(conn, type=type, street_id=row["street_id"], subject=Subject("booking", row["id"]),
                       data={"booking": snapshot(row), **extra}, community_id=row["community_id"],
                       building_id=row["building_id"])


def _party(actor: Actor, space: asyncpg.Record, household_id: str | None, leader: bool) -> dict[str, str | None]:
    """Who the booking is for: a qualifying household, else a partner organisation, else
    (leaders only) the place itself."""
    if actor.is_platform or actor.person_id is None:
        raise Forbidden("person_required")
    households = qualifying_households(actor, space)
    if household_id is not None:
        if household_id not in households:
            raise RuleViolation("not_eligible")
        return {"household_id": household_id, "organization_id": None}
    if len(households) > 1:
        raise RuleViolation("household_required")
    if households:
        return {"household_id": households[0], "organization_id": None}
    organizations = partner_organizations(actor, space)
    if organizations:
        return {"household_id": None, "organization_id": organizations[0]}
    if leader:
        return {"household_id": None, "organization_id": None}
    raise RuleViolation("not_eligible")


async def _check_household(conn: asyncpg.Connection, terms: rules.SpaceTerms, household_id: str | None,
                           start: datetime, end: datetime, now: datetime, exempt: bool) -> None:
    if household_id is None:
        return
    if await bookings.suspended_until(conn, household_id, now) is not None:
        raise RuleViolation("booking_suspended")
    if terms.rules.weekly_quota_minutes is not None and not exempt:
        week_start, week_end = rules.quota_week(start, terms.zone)
        used = await bookings.minutes_in(conn, household_id, week_start, week_end)
        if rules.over_quota(terms.rules, used, start, end, exempt=exempt):
            raise RuleViolation("quota_exceeded")


async def _book(conn: asyncpg.Connection, actor: Actor, space: asyncpg.Record, party: dict[str, Any],
                request: Request, now: datetime, *, exempt: bool, series_id: str | None = None) -> asyncpg.Record:
    """One booking, under the space's row lock (held by the caller)."""
    terms = terms_of(space)
    start, end = request.start_at, request.end_at
    code = rules.rule_violation(terms, start, end, now, attendees=request.attendees, exempt=exempt)
    if code is not None:
        raise RuleViolation(code)
    clash = await bookings.first_overlap(conn, space["id"], start, end)
    if clash is not None:
        raise _conflict(clash, space["timezone"])
    await _check_household(conn, terms, party["household_id"], start, end, now, exempt)
    status = rules.initial_status(terms.rules, exempt=exempt)
    try:
        async with conn.transaction():  # a savepoint: after a clash the transaction stays usable
            row = await bookings.insert(conn, {
                "id": new_id("booking"), "street_id": space["street_id"], "space_id": space["id"],
                "community_id": space["community_id"], "building_id": space["building_id"], **party,
                "person_id": actor.person_id, "series_id": series_id, "start_at": start, "end_at": end,
                "purpose": request.purpose, "attendees": request.attendees, "status": status,
                "confirmed_at": now if status == "confirmed" else None})
    except bookings.Clash:  # only if the lock was not held: the constraint still decides
        raise _conflict(await bookings.first_overlap(conn, space["id"], start, end) or (start, end),
                        space["timezone"]) from None
    await jobs.schedule(conn, kind=NO_SHOW_JOB, run_at=start + rules.CHECK_IN_AFTER, street_id=row["street_id"],
                        payload={"booking_id": row["id"]}, dedupe_key=f"{NO_SHOW_JOB}:{row['id']}")
    await jobs.schedule(conn, kind=COMPLETE_JOB, run_at=end, street_id=row["street_id"],
                        payload={"booking_id": row["id"]}, dedupe_key=f"{COMPLETE_JOB}:{row['id']}")
    await _event(conn, "booking.created", row)
    return row


def _conflict(clash: tuple[datetime, datetime], timezone: str) -> Conflict:
    # The API shows the range both as data (UTC) and, in its detail, in the space's local time.
    return Conflict("booking_conflict", {"start_at": _stamp(clash[0]), "end_at": _stamp(clash[1]),
                                         "timezone": timezone})


async def create_booking(conn: asyncpg.Connection, who: Principal, space_id: str, request: Request,
                         now: datetime) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    space = await visible_space(conn, actor, space_id, for_update=True)  # serialises this space's bookings
    leader = actor.leader_of(space_place(space))
    party = _party(actor, space, request.household_id, leader)
    return await _book(conn, actor, space, party, request, now, exempt=rules.exempt(leader))


async def create_series(conn: asyncpg.Connection, who: Principal, space_id: str, request: Request,
                        weekly_count: int, on_conflict: str, now: datetime
                        ) -> tuple[str, list[asyncpg.Record], list[tuple[datetime, datetime, str]]]:
    """Weekly occurrences, each checked like a single booking; leaders are exempt from the
    window and the quota. ``fail``: the first refusal refuses all (the transaction rolls back)."""
    actor = await actor_for(conn, who)
    space = await visible_space(conn, actor, space_id, for_update=True)
    leader = actor.leader_of(space_place(space))
    party = _party(actor, space, request.household_id, leader)
    series_id, created, skipped = new_id("booking_series"), [], []
    for start, end in rules.occurrences(request.start_at, request.end_at, weekly_count, terms_of(space).zone):
        one = Request(start, end, request.purpose, request.attendees)
        try:
            created.append(await _book(conn, actor, space, party, one, now, exempt=rules.exempt(leader),
                                       series_id=series_id))
        except (RuleViolation, Conflict) as refusal:
            if on_conflict == "fail":
                raise
            skipped.append((start, end, refusal.code))
    return series_id, created, skipped


# Reading

def may_manage(actor: Actor, booking: asyncpg.Record) -> bool:
    return actor.leader_of(Place(booking["street_id"], community_id=booking["community_id"],
                                 building_id=booking["building_id"]))


def is_booker(actor: Actor, booking: asyncpg.Record) -> bool:
    return (actor.person_id is not None and booking["person_id"] == actor.person_id) or (
        booking["household_id"] is not None and booking["household_id"] in actor.grants.households)


async def get_booking(conn: asyncpg.Connection, who: Principal, booking_id: str) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    row = await bookings.get(conn, who.street_id, booking_id)
    if row is None or not (is_booker(actor, row) or may_manage(actor, row)):
        raise NotFound("not_found")
    return row


async def my_bookings(conn: asyncpg.Connection, who: Principal, keyset: Keyset) -> list[asyncpg.Record]:
    actor = await actor_for(conn, who)
    if actor.person_id is None:
        raise Forbidden("person_required")
    return await bookings.page(conn, who.street_id, keyset, person_id=actor.person_id,
                               household_ids=sorted(actor.grants.households))


async def space_bookings(conn: asyncpg.Connection, who: Principal, space_id: str,
                         keyset: Keyset) -> tuple[list[asyncpg.Record], bool]:
    """Leaders see every booking in full; others the active ones as busy ranges only."""
    actor = await actor_for(conn, who)
    space = await visible_space(conn, actor, space_id)
    full = actor.leader_of(space_place(space), write=False)
    return await bookings.page(conn, who.street_id, keyset, space_id=space_id, active_only=not full), full


# Transitions

async def transition(conn: asyncpg.Connection, who: Principal, booking_id: str, wanted: str, now: datetime,
                     precondition: Any) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    current = await bookings.get(conn, who.street_id, booking_id, for_update=True)
    if current is None or not (is_booker(actor, current) or may_manage(actor, current)):
        raise NotFound("not_found")
    precondition(current)
    leader, booker = may_manage(actor, current), is_booker(actor, current)
    if wanted in ("confirmed", "rejected") and not leader:
        raise Forbidden("not_allowed")
    if wanted == "checked_in" and not booker:
        raise Forbidden("not_allowed")
    if not rules.may_move(current["status"], wanted) or wanted in ("no_show", "completed"):
        raise Conflict("booking_transition_not_allowed")
    if wanted == "cancelled" and not leader:
        space = await visible_space(conn, actor, current["space_id"])
        if not rules.may_cancel(terms_of(space).rules, current["start_at"], now):
            raise RuleViolation("cancel_too_late")
    if wanted == "checked_in" and not rules.may_check_in(current["start_at"], now):
        raise RuleViolation("not_in_check_in_window")
    row = await bookings.move(conn, booking_id, wanted, now)
    await _event(conn, "booking.status_changed", row, previous_status=current["status"])
    return row


# Due jobs (worker/jobs.py)

async def apply_no_show(conn: asyncpg.Connection, job: asyncpg.Record, now: datetime) -> None:
    """15 minutes after the start: a confirmed booking nobody checked in to is a no-show; the
    third in 30 days suspends the household's booking right for 14 days."""
    current = await conn.fetchrow("SELECT street_id FROM bookings WHERE id = $1", job["payload"]["booking_id"])
    row = current and await bookings.get(conn, current["street_id"], job["payload"]["booking_id"], for_update=True)
    if not row or row["status"] != "confirmed":
        return
    row = await bookings.move(conn, row["id"], "no_show", now)
    await _event(conn, "booking.status_changed", row, previous_status="confirmed")
    household = row["household_id"]
    if household is None or await bookings.suspended_until(conn, household, now) is not None:
        return
    if await bookings.no_shows_since(conn, household, now - rules.NO_SHOW_WINDOW) >= rules.NO_SHOW_LIMIT:
        suspension_id, ends = new_id("booking_suspension"), now + rules.SUSPENSION
        await bookings.suspend(conn, id=suspension_id, street_id=row["street_id"], household_id=household,
                               starts_at=now, ends_at=ends)
        data = {"household_id": household, "starts_at": _stamp(now), "ends_at": _stamp(ends)}
        await append_event(conn, type="booking.household_suspended", street_id=row["street_id"],
                           subject=Subject("household", household), data=data,
                           community_id=row["community_id"], building_id=row["building_id"])
        await schedule_event(conn, street_id=row["street_id"], run_at=ends, type="booking.suspension_ended",
                             subject=Subject("household", household), data=data,
                             community_id=row["community_id"], building_id=row["building_id"],
                             dedupe_key=f"booking.suspension_ended:{suspension_id}")


async def apply_completion(conn: asyncpg.Connection, job: asyncpg.Record, now: datetime) -> None:
    """At the end: a checked-in booking is completed."""
    row = await conn.fetchrow("SELECT id, status FROM bookings WHERE id = $1 FOR UPDATE", job["payload"]["booking_id"])
    if row is None or row["status"] != "checked_in":
        return
    moved = await bookings.move(conn, row["id"], "completed", now)
    await _event(conn, "booking.status_changed", moved, previous_status="checked_in")
