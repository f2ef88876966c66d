"""Activities (月月有活动) of a building or a community: created by the place's leaders,
published (booking their space, if any, through the bookings feature), changed (moving the
booking with them), cancelled with a reason (every sign-up cancelled) and finished by
themselves at their end (usecases/activities_jobs.py). Sign-ups and attendance:
usecases/activity_signups.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import activities as rules
from domain.activities import Activity
from domain.errors import NotFound, RuleViolation
from domain.permissions import Actor, Place, Principal, ensure_for
from store import activities as store
from store.paging import Keyset
from usecases import activity_signups, bookings, members, organizations, places, street_settings
from usecases.activity_signups import visible_activity
from usecases.activities_jobs import schedule_finish
from usecases.actors import actor_for
from usecases.kernel import changes_of, record_event
from usecases.moderation import ContentChecker
from usecases.spaces import visible_space


class Organizer(msgspec.Struct, kw_only=True):
    type: str  # person | organization
    id: str


class NewActivity(msgspec.Struct, kw_only=True):
    title: str
    description: str = ""
    category: str
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    space_id: str | None = None
    capacity: int | None = None
    signup_opens_at: datetime | None = None
    signup_closes_at: datetime | None = None
    cancel_before_minutes: int = 0
    points_per_attendee: int = 0
    organizer: Organizer | None = None


class ChangeActivity(msgspec.Struct, kw_only=True):
    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    category: str | UnsetType = UNSET
    starts_at: datetime | UnsetType = UNSET
    ends_at: datetime | UnsetType = UNSET
    location: str | UnsetType = UNSET
    space_id: str | None | UnsetType = UNSET
    capacity: int | None | UnsetType = UNSET
    signup_opens_at: datetime | None | UnsetType = UNSET
    signup_closes_at: datetime | None | UnsetType = UNSET
    cancel_before_minutes: int | UnsetType = UNSET
    points_per_attendee: int | UnsetType = UNSET
    organizer: Organizer | UnsetType = UNSET


class MoveActivity(msgspec.Struct, kw_only=True):
    to: str  # published | cancelled
    reason: str | None = None


async def _place(conn: asyncpg.Connection, actor: Actor, community_id: str | None,
                 building_id: str | None) -> Place:
    if building_id is not None:
        building = await places.visible_building(conn, actor, building_id)
        return Place(building.street_id, community_id=building.community_id, building_id=building.id)
    assert community_id is not None
    community = await places.visible_community(conn, actor, community_id)
    return Place(community.street_id, community_id=community.id)


async def _check_organizer(conn: asyncpg.Connection, street_id: str, organizer: Organizer) -> None:
    if organizer.type == "organization":
        known = await organizations.find(conn, street_id, organizer.id) is not None
    else:
        known = await members.person_exists(conn, organizer.id)
    if not known:
        raise RuleViolation("invalid_organizer")


async def _check_space(conn: asyncpg.Connection, actor: Actor, space_id: str) -> None:
    try:
        await visible_space(conn, actor, space_id)
    except NotFound:
        raise RuleViolation("invalid_space") from None


async def _check_points(conn: asyncpg.Connection, street_id: str, points: int) -> None:
    rules.check_points(points, (await street_settings.settings_of(conn, street_id)).max_points_per_attendee)


# An activity is read by the whole building or community: its text is checked by WeChat and
# decided at once (refused or 503), never held hidden for a review (usecases/moderation.py).
SCENE = "activity"
_TEXTS = ("title", "description", "location")


async def _check_text(checker: ContentChecker | None, conn: asyncpg.Connection, who: Principal,
                      texts: list[str]) -> None:
    if checker is not None and any(texts):
        await checker.check_now(conn, who, [t for t in texts if t], SCENE)


async def create(conn: asyncpg.Connection, who: Principal, command: NewActivity, *, community_id: str | None = None,
                 building_id: str | None = None, checker: ContentChecker | None = None) -> Activity:
    """A draft, by a leader of the place; the organiser is the creator unless named."""
    actor = await actor_for(conn, who)
    place = await _place(conn, actor, community_id, building_id)
    ensure_for(actor, actor.leader_of(place))
    organizer = command.organizer
    if organizer is None:
        if actor.person_id is None:
            raise RuleViolation("invalid_organizer")
        organizer = Organizer(type="person", id=actor.person_id)
    await _check_organizer(conn, place.street_id, organizer)
    await _check_points(conn, place.street_id, command.points_per_attendee)
    rules.check_times(command.starts_at, command.ends_at, command.signup_opens_at, command.signup_closes_at)
    await _check_text(checker, conn, who, [getattr(command, name) for name in _TEXTS])
    if command.space_id is not None:
        await _check_space(conn, actor, command.space_id)
    values: dict[str, Any] = {
        "street_id": place.street_id, "community_id": place.community_id, "building_id": place.building_id,
        **{k: v for k, v in msgspec.structs.asdict(command).items() if k != "organizer"},
        "organizer_type": organizer.type, "organizer_id": organizer.id, "created_by": actor.person_id}
    activity = await store.insert(conn, values)
    await record_event(conn, "activity.created", "activity", activity, {"status": activity.status})
    return activity


async def get(conn: asyncpg.Connection, who: Principal, activity_id: str) -> Activity:
    return await visible_activity(conn, await actor_for(conn, who), activity_id)


async def list_activities(conn: asyncpg.Connection, who: Principal, keyset: Keyset, *, month: str | None,
                          community_id: str | None = None, building_id: str | None = None) -> list[Activity]:
    actor = await actor_for(conn, who)
    place = await _place(conn, actor, community_id, building_id)
    span = None
    if month is not None:
        span = rules.month_bounds(month, await store.timezone_of(conn, place.street_id))
    assert place.community_id is not None
    return await store.page(conn, place.street_id, keyset, community_id=place.community_id,
                            building_id=place.building_id, span=span, drafts=actor.leader_of(place, write=False),
                            person_id=actor.person_id)


async def update(conn: asyncpg.Connection, who: Principal, activity_id: str, command: ChangeActivity,
                 precondition: Callable[[Activity], None], now: datetime,
                 checker: ContentChecker | None = None) -> Activity:
    """A draft or published activity's fields; a published one's booking moves with its times
    or space in the same transaction, and more capacity promotes from the waiting list."""
    actor = await actor_for(conn, who)
    activity = await visible_activity(conn, actor, activity_id, lock=True)
    ensure_for(actor, rules.manages(actor, activity))
    precondition(activity)
    rules.check_editable(activity)
    changes = changes_of(command)
    if not changes:
        return activity
    if "organizer" in changes:
        organizer = Organizer(**changes.pop("organizer"))
        await _check_organizer(conn, activity.street_id, organizer)
        changes.update(organizer_type=organizer.type, organizer_id=organizer.id)
    if "points_per_attendee" in changes:
        await _check_points(conn, activity.street_id, changes["points_per_attendee"])
    merged = {name: changes.get(name, getattr(activity, name))
              for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at", "space_id", "capacity")}
    rules.check_times(merged["starts_at"], merged["ends_at"], merged["signup_opens_at"], merged["signup_closes_at"])
    rules.check_capacity(merged["capacity"], activity.seats_taken)
    await _check_text(checker, conn, who, [changes.get(name) or "" for name in _TEXTS])
    if changes.get("space_id") is not None and changes["space_id"] != activity.space_id:
        await _check_space(conn, actor, changes["space_id"])
    updated = await store.update(conn, activity.id, changes)
    moved = any(name in changes for name in (*rules.TIMING, "space_id"))
    if updated.status == rules.PUBLISHED and moved:
        updated = await _rebook(conn, who, activity, updated, now)
    if updated.status == rules.PUBLISHED and "ends_at" in changes:
        await schedule_finish(conn, updated)
    await record_event(conn, "activity.updated", "activity", updated, {"changed": sorted(changes),
                                                                      "status": updated.status})
    if "capacity" in changes:
        await activity_signups.promote_waiting(conn, updated, now)
        updated = await store.get(conn, updated.street_id, updated.id) or updated
    return updated


async def _rebook(conn: asyncpg.Connection, who: Principal, before: Activity, after: Activity,
                  now: datetime) -> Activity:
    if after.space_id is None:
        if before.booking_id is not None:
            await bookings.release_for_activity(conn, before.booking_id, now)
        return await store.set_booking(conn, after.id, None)
    booking = await bookings.book_for_activity(conn, who, after.space_id, after.starts_at, after.ends_at,
                                               after.title, now, replaces=before.booking_id)
    return await store.set_booking(conn, after.id, booking.id)


async def transition(conn: asyncpg.Connection, who: Principal, activity_id: str, command: MoveActivity,
                     precondition: Callable[[Activity], None], now: datetime) -> Activity:
    actor = await actor_for(conn, who)
    activity = await visible_activity(conn, actor, activity_id, lock=True)
    ensure_for(actor, rules.manages(actor, activity))
    precondition(activity)
    rules.check_transition(activity, command.to, command.reason)
    if command.to == rules.PUBLISHED:
        moved = await store.move(conn, activity.id, rules.PUBLISHED, now)
        if moved.space_id is not None:
            booking = await bookings.book_for_activity(conn, who, moved.space_id, moved.starts_at, moved.ends_at,
                                                       moved.title, now)
            moved = await store.set_booking(conn, moved.id, booking.id)
        await schedule_finish(conn, moved)
        await record_event(conn, "activity.published", "activity", moved, {"status": moved.status,
                                                                          "from": activity.status})
        return moved
    moved = await store.move(conn, activity.id, rules.CANCELLED, now, reason=(command.reason or "").strip())
    if moved.booking_id is not None:
        await bookings.release_for_activity(conn, moved.booking_id, now)
    await activity_signups.cancel_all(conn, moved, now)
    moved = await store.get(conn, moved.street_id, moved.id) or moved
    await record_event(conn, "activity.cancelled", "activity", moved, {"status": moved.status,
                                                                      "from": activity.status})
    return moved

