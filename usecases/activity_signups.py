"""Sign-ups of an activity and attendance. Each change of seats takes the activity's row lock
first (``SELECT … FOR UPDATE``): sign-ups, cancellations and promotions of one activity run one
at a time, so of any number at once exactly ``capacity`` seats are confirmed, and a freed seat
is given to the first waitlisted sign-up that fits exactly once. Attendance credits the
activity's points once per sign-up (the ledger's source)."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import activities as rules
from domain.activities import Activity, Signup
from domain.errors import Conflict, NotFound, RuleViolation
from domain.permissions import Actor, Principal, ensure_for
from store import activities as store
from store.paging import Keyset
from usecases import points
from usecases.actors import actor_for
from usecases.kernel import person_of, record_event, visible_or_404

ATTENDED_REASON = "activity_attended"

# The event types appended through ``_signup_event`` (the catalogue, domain/events.py).
APPENDS = ("activity_signup.created", "activity_signup.cancelled", "activity_signup.promoted")


class NewSignup(msgspec.Struct, kw_only=True):
    companions: int = 0


class NewAttendance(msgspec.Struct, kw_only=True):
    signup_id: str


class NewCheckin(msgspec.Struct, kw_only=True):
    token: str


async def visible_activity(conn: asyncpg.Connection, actor: Actor, activity_id: str, *,
                           lock: bool = False) -> Activity:
    found = await store.get(conn, actor.principal.street_id, activity_id, lock=lock)
    return visible_or_404(found, lambda a: rules.may_see(actor, a))


async def _signup_event(conn: asyncpg.Connection, type: str, signup: Signup, **extra: object) -> None:
    await record_event(conn, type, "activity_signup", signup, {
        "activity_id": signup.activity_id, "person_id": signup.person_id, "status": signup.status,
        "companions": signup.companions, "position": signup.position, **extra})


async def sign_up(conn: asyncpg.Connection, who: Principal, activity_id: str, command: NewSignup,
                  now: datetime) -> Signup:
    """Confirmed when the seats (the person and companions) fit, else waitlisted; one live
    sign-up per person (409 ``already_signed_up``), within the window (409 ``signup_closed``)."""
    actor = await actor_for(conn, who)
    person = person_of(actor)
    activity = await visible_activity(conn, actor, activity_id, lock=True)
    rules.check_signup_open(activity, now)
    if await store.live_signup_of(conn, activity.id, person) is not None:
        raise Conflict("already_signed_up")
    seats = 1 + command.companions
    status = rules.placed(activity.capacity, activity.seats_taken, seats)
    signup = await store.insert_signup(conn, activity, person, command.companions, status, now)
    if status == rules.CONFIRMED:
        await store.add_seats(conn, activity.id, seats)
    await _signup_event(conn, "activity_signup.created", signup)
    return signup


async def cancel_mine(conn: asyncpg.Connection, who: Principal, activity_id: str, now: datetime) -> Signup:
    """Until ``starts_at`` − ``cancel_before_minutes`` (then ``cancel_too_late``); the seats
    freed go down the waiting list at once. Idempotent: once cancelled, it answers the
    cancelled sign-up again and changes nothing; 404 for one who never signed up."""
    actor = await actor_for(conn, who)
    person = person_of(actor)
    activity = await visible_activity(conn, actor, activity_id, lock=True)
    signup = await store.live_signup_of(conn, activity.id, person)
    if signup is None:
        latest = await store.latest_signup_of(conn, activity.id, person)
        if latest is None:
            raise NotFound("not_found")
        return latest
    rules.check_cancel(activity, now)
    return await _cancel(conn, activity, signup, now, reason="withdrawn")


async def _cancel(conn: asyncpg.Connection, activity: Activity, signup: Signup, now: datetime, *,
                  reason: str) -> Signup:
    cancelled = await store.cancel_signup(conn, signup.id, now)
    assert cancelled is not None  # the activity's lock is held: nobody else moved it
    await _signup_event(conn, "activity_signup.cancelled", cancelled, reason=reason)
    if signup.status == rules.CONFIRMED:
        await store.add_seats(conn, activity.id, -signup.seats)
        await promote_waiting(conn, activity, now)
    return cancelled


async def promote_waiting(conn: asyncpg.Connection, activity: Activity, now: datetime) -> list[Signup]:
    """Give free seats to the waiting list, first that fits first (the caller holds the
    activity's row lock)."""
    current = await store.get(conn, activity.street_id, activity.id)
    assert current is not None
    chosen = rules.promotions(current.capacity, current.seats_taken, await store.waiting(conn, activity.id))
    if not chosen:
        return []
    promoted = await store.promote(conn, chosen, now)
    await store.add_seats(conn, activity.id, sum(s.seats for s in promoted))
    for signup in promoted:
        await _signup_event(conn, "activity_signup.promoted", signup)
    return promoted


async def cancel_all(conn: asyncpg.Connection, activity: Activity, now: datetime) -> None:
    """The activity was cancelled: every live sign-up is cancelled, each with its event."""
    for signup in await store.live_signups(conn, activity.id):
        cancelled = await store.cancel_signup(conn, signup.id, now)
        if cancelled is not None:
            await _signup_event(conn, "activity_signup.cancelled", cancelled, reason="activity_cancelled")
    await store.add_seats(conn, activity.id, -activity.seats_taken)


# Attendance

async def _attend(conn: asyncpg.Connection, activity: Activity, signup: Signup, now: datetime,
                  how: str) -> Signup:
    rules.check_attendance(activity, signup, now)
    if not await store.attend(conn, signup.id, now):
        return signup  # recorded before: nothing more, no points twice
    credited = 0
    if activity.points_per_attendee > 0 and signup.person_id is not None:
        moved = await points.credit(conn, street_id=activity.street_id, person_id=signup.person_id,
                                    amount=activity.points_per_attendee, reason=ATTENDED_REASON,
                                    source_type="activity_signup", source_id=signup.id, at=now)
        credited = 0 if moved is None else moved.amount
    attended = await store.signup(conn, signup.id)
    await record_event(conn, "activity.attended", "activity", activity, {
        "signup_id": signup.id, "person_id": signup.person_id, "points": credited, "method": how})
    return attended


async def record_attendance(conn: asyncpg.Connection, who: Principal, activity_id: str, command: NewAttendance,
                            now: datetime) -> Signup:
    """The organiser checks a participant in."""
    actor = await actor_for(conn, who)
    activity = await visible_activity(conn, actor, activity_id)
    ensure_for(actor, rules.manages(actor, activity))
    signup = await store.find_signup(conn, activity.id, command.signup_id)
    if signup is None:
        raise NotFound("not_found")
    return await _attend(conn, activity, signup, now, "organizer")


async def check_in(conn: asyncpg.Connection, who: Principal, activity_id: str, command: NewCheckin, now: datetime,
                   real_now: datetime, key: bytes) -> Signup:
    """The participant checks in with the token on the organiser's screen."""
    actor = await actor_for(conn, who)
    person = person_of(actor)
    activity = await visible_activity(conn, actor, activity_id)
    signup = await store.live_signup_of(conn, activity.id, person)
    if signup is None:
        raise NotFound("not_found")
    if not rules.token_valid(key, activity.id, command.token, real_now):
        raise RuleViolation("checkin_token_invalid")
    return await _attend(conn, activity, signup, now, "token")


async def checkin_token(conn: asyncpg.Connection, who: Principal, activity_id: str, real_now: datetime,
                        key: bytes) -> tuple[str, datetime]:
    """The organiser's current token and when it rotates (nothing stored)."""
    actor = await actor_for(conn, who)
    activity = await visible_activity(conn, actor, activity_id)
    ensure_for(actor, rules.manages(actor, activity))
    if activity.status not in (rules.PUBLISHED, rules.FINISHED):
        raise Conflict("wrong_activity_status", {"status": activity.status})
    window = rules.token_window(real_now)
    rotates = datetime.fromtimestamp((window + 1) * rules.TOKEN_WINDOW_SECONDS, tz=real_now.tzinfo)
    return rules.checkin_token(key, activity.id, window), rotates


# Reading

async def list_signups(conn: asyncpg.Connection, who: Principal, activity_id: str, keyset: Keyset,
                       status: str | None) -> list[Signup]:
    actor = await actor_for(conn, who)
    activity = await visible_activity(conn, actor, activity_id)
    ensure_for(actor, rules.manages(actor, activity))
    return await store.page_signups(conn, activity.id, keyset, status)


async def mine(conn: asyncpg.Connection, who: Principal, keyset: Keyset) -> list[tuple[Signup, Activity]]:
    actor = await actor_for(conn, who)
    return await store.page_of_person(conn, who.street_id, person_of(actor), keyset)


# Erasure

async def erase(conn: asyncpg.Connection, person_id: str, now: datetime) -> None:
    """The person's live sign-ups of activities still to come are cancelled (their seats go to
    the waiting list); every sign-up of theirs keeps its counts but no longer names them."""
    for signup in await store.upcoming_signups_of_person(conn, person_id, now):
        activity = await store.get_for_job(conn, signup.activity_id)
        current = await store.find_signup(conn, signup.activity_id, signup.id)
        if activity is not None and current is not None and current.status != rules.CANCELLED:
            await _cancel(conn, activity, current, now, reason="erased")
    await store.anonymise_signups(conn, person_id)

