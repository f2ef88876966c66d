"""Announcements (看): posted by the leaders of a building, a community or the street, published
by the service at ``publish_at`` and expired at ``expires_at`` (usecases/announcements_jobs.py),
withdrawn by their author or a leader. Publishing freezes the audience: the households of the
scope at that moment. Acknowledgements: usecases/announcement_acknowledgements.py. Rules:
domain/announcements.py; choices: docs/announcements.md."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import announcements as rules
from domain.announcements import Announcement
from domain.errors import Conflict, Forbidden
from domain.permissions import Actor, Place, Principal, ensure_for
from store import announcements as store
from store.paging import Keyset
from usecases import places
from usecases.actors import actor_for
from usecases.kernel import actor_ref, changes_of, record_event, schedule_job, visible_or_404
from usecases.moderation import ContentChecker

PUBLISH_JOB = "announcement.publish"
EXPIRE_JOB = "announcement.expire"


# Commands

class NewAnnouncement(msgspec.Struct, kw_only=True):
    title: str
    body: str
    pinned: bool = False
    publish_at: datetime | None = None  # None: now
    expires_at: datetime | None = None
    requires_acknowledgement: bool = False


class ChangeAnnouncement(msgspec.Struct, kw_only=True):
    title: str | UnsetType = UNSET
    body: str | UnsetType = UNSET
    pinned: bool | UnsetType = UNSET
    publish_at: datetime | UnsetType = UNSET  # while scheduled
    expires_at: datetime | None | UnsetType = UNSET
    requires_acknowledgement: bool | UnsetType = UNSET  # while scheduled


class MoveAnnouncement(msgspec.Struct, kw_only=True):
    to: str


class Due(msgspec.Struct, kw_only=True):
    """The payload of ``announcement.publish`` and ``announcement.expire``."""

    announcement_id: str


# Places and reading

async def scope_place(conn: asyncpg.Connection, actor: Actor, scope: str, place_id: str | None) -> Place:
    """The place of a scope the caller may read (404 otherwise; for the street, a platform
    client needs ``street:read``)."""
    if scope == "building":
        assert place_id is not None
        return places.building_place(await places.visible_building(conn, actor, place_id))
    if scope == "community":
        assert place_id is not None
        return places.community_place(await places.visible_community(conn, actor, place_id))
    if actor.is_platform and not actor.street_wide(write=False):
        raise Forbidden("insufficient_scope", {"scope": "street:read"})
    return Place(actor.principal.street_id)


async def visible_announcement(conn: asyncpg.Connection, actor: Actor, announcement_id: str, *,
                               lock: bool = False) -> Announcement:
    found = await store.get(conn, actor.principal.street_id, announcement_id, lock=lock)
    return visible_or_404(found, lambda a: rules.may_see(actor, a))


async def get(conn: asyncpg.Connection, who: Principal, announcement_id: str) -> Announcement:
    return await visible_announcement(conn, await actor_for(conn, who), announcement_id)


async def list_for(conn: asyncpg.Connection, who: Principal, scope: str, place_id: str | None, keyset: Keyset, *,
                   status: str | None) -> list[Announcement]:
    """A building's list shows its own, its community's and the street's announcements; a
    community's its own and the street's; the street's its own. Those who manage a scope see
    all of its statuses, others the published and expired ones."""
    actor = await actor_for(conn, who)
    place = await scope_place(conn, actor, scope, place_id)
    street = Place(place.street_id)
    community = Place(place.street_id, community_id=place.community_id)
    scopes: list[tuple[str, str | None, bool]] = [("street", None, rules.may_post(actor, street))]
    if place.community_id is not None:
        scopes.append(("community", place.community_id, rules.may_post(actor, community)))
    if place.building_id is not None:
        scopes.append(("building", place.building_id, rules.may_post(actor, place)))
    return await store.page(conn, who.street_id, keyset, scopes=scopes, me=actor_ref_of(actor), status=status)


def actor_ref_of(actor: Actor) -> tuple[str, str]:
    kind, ref = actor_ref(actor)
    return kind, ref or ""


# Posting and changing

async def create(conn: asyncpg.Connection, who: Principal, scope: str, place_id: str | None,
                 command: NewAnnouncement, now: datetime, checker: ContentChecker | None = None) -> Announcement:
    actor = await actor_for(conn, who)
    place = await scope_place(conn, actor, scope, place_id)
    ensure_for(actor, rules.may_post(actor, place))
    publish_at = command.publish_at or now
    rules.ensure_period(publish_at, command.expires_at, now)
    if checker is not None:
        await checker.check_now(conn, who, [command.title, command.body], "announcement")
    author_type, author_id = actor_ref_of(actor)
    announcement = await store.insert(
        conn, street_id=place.street_id, community_id=place.community_id, building_id=place.building_id,
        scope=scope, author_type=author_type, author_id=author_id, title=command.title, body=command.body,
        pinned=command.pinned, requires_acknowledgement=command.requires_acknowledgement, publish_at=publish_at,
        expires_at=command.expires_at)
    await record_event(conn, "announcement.created", "announcement", announcement, {
        "scope": scope, "status": announcement.status, "pinned": announcement.pinned,
        "requires_acknowledgement": announcement.requires_acknowledgement})
    return await _due(conn, announcement, now)


async def _due(conn: asyncpg.Connection, announcement: Announcement, now: datetime) -> Announcement:
    """Publish now what is due, else have the service publish it at ``publish_at``."""
    if announcement.status != "scheduled":
        return announcement
    if rules.publishes_now(announcement.publish_at, now):
        return await publish(conn, announcement, now)
    await _schedule(conn, PUBLISH_JOB, announcement.publish_at, announcement)
    return announcement


async def _schedule(conn: asyncpg.Connection, kind: str, at: datetime, announcement: Announcement) -> None:
    # A moved time schedules a new job; the old one finds nothing due and does nothing.
    await schedule_job(conn, kind, at, Due(announcement_id=announcement.id), street_id=announcement.street_id,
                       dedupe_key=f"{kind}:{announcement.id}:{at.isoformat()}")


async def publish(conn: asyncpg.Connection, announcement: Announcement, now: datetime) -> Announcement:
    """On the locked, scheduled announcement: freeze its audience and publish it."""
    published = await store.freeze_audience(conn, announcement, now)
    await record_event(conn, "announcement.published", "announcement", published, {
        "scope": published.scope, "status": "published", "households": published.households,
        "requires_acknowledgement": published.requires_acknowledgement})
    if published.expires_at is not None:
        await _schedule(conn, EXPIRE_JOB, published.expires_at, published)
    return published


async def expire(conn: asyncpg.Connection, announcement: Announcement, now: datetime) -> Announcement:
    expired = await store.move(conn, announcement.id, "expired", now)
    await record_event(conn, "announcement.expired", "announcement", expired, {"from": "published", "to": "expired"})
    return expired


async def update(conn: asyncpg.Connection, who: Principal, announcement_id: str, command: ChangeAnnouncement,
                 precondition: Callable[[Announcement], None], now: datetime,
                 checker: ContentChecker | None = None) -> Announcement:
    actor = await actor_for(conn, who)
    announcement = await visible_announcement(conn, actor, announcement_id, lock=True)
    precondition(announcement)
    ensure_for(actor, rules.may_manage(actor, announcement))
    changes = changes_of(command)
    rules.ensure_status(announcement.status, *rules.EDITABLE)
    if {"publish_at", "requires_acknowledgement"} & set(changes):
        rules.ensure_status(announcement.status, "scheduled")  # the audience is frozen once published
    if not changes:
        return announcement
    publish_at = changes.get("publish_at", announcement.publish_at)
    expires_at = changes.get("expires_at", announcement.expires_at)
    if "publish_at" in changes or "expires_at" in changes:
        rules.ensure_period(publish_at, expires_at, now)
    texts = [changes[k] for k in ("title", "body") if k in changes]
    if checker is not None and texts:
        await checker.check_now(conn, who, texts, "announcement")
    updated = await store.update(conn, announcement.id, changes)
    await record_event(conn, "announcement.updated", "announcement", updated, {"changed": sorted(changes)})
    if updated.status == "published" and "expires_at" in changes and updated.expires_at is not None:
        await _schedule(conn, EXPIRE_JOB, updated.expires_at, updated)
    return await _due(conn, updated, now) if "publish_at" in changes else updated


async def transition(conn: asyncpg.Connection, who: Principal, announcement_id: str, command: MoveAnnouncement,
                     precondition: Callable[[Announcement], None], now: datetime) -> Announcement:
    """Withdraw (its author or a leader of its scope); the other moves are the service's."""
    actor = await actor_for(conn, who)
    announcement = await visible_announcement(conn, actor, announcement_id, lock=True)
    precondition(announcement)
    if command.to != "withdrawn":  # the other moves are the service's
        raise Conflict("wrong_announcement_status", {"status": announcement.status, "to": command.to})
    ensure_for(actor, rules.may_manage(actor, announcement))
    to = rules.withdraw(announcement.status)
    withdrawn = await store.move(conn, announcement.id, to, now)
    kind, ref = actor_ref(actor)
    await record_event(conn, "announcement.withdrawn", "announcement", withdrawn, {
        "from": announcement.status, "to": to, "by": {"type": kind, "id": ref}})
    return withdrawn


async def due_one(conn: asyncpg.Connection, street_id: str, announcement_id: str, kind: str, now: datetime) -> None:
    """A due job's work (usecases/announcements_jobs.py): publish or expire what is due now."""
    announcement = await store.get(conn, street_id, announcement_id, lock=True)
    if announcement is None:
        return
    if kind == PUBLISH_JOB and announcement.status == "scheduled" and rules.publishes_now(announcement.publish_at,
                                                                                           now):
        await publish(conn, announcement, now)
    elif kind == EXPIRE_JOB and rules.expires(announcement.status, announcement.expires_at, now):
        await expire(conn, announcement, now)
