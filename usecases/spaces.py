"""Shared spaces: created and changed by the leaders of their place, seen by those who may
book them or who see the place; their calendar feed's secret. (A space's availability and
its feed's busy times are read from its bookings: usecases/bookings.py.)"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain.bookings import SpaceRules, check_opening_hours
from domain.errors import NotFound
from domain.ids import new_id
from domain.permissions import Actor, Place, Principal, ensure_for
from domain.spaces import Closure, Space, bookable_by, check_closures, check_fits_place, may_see
from store import spaces
from store.paging import Keyset
from store.rows import snapshot
from usecases import places
from usecases.actors import actor_for
from usecases.kernel import changes_of, place_of, record_event, visible_or_404

Precondition = Callable[[Space], None]


# Commands

class RulesChange(msgspec.Struct, kw_only=True):
    """The rules a client sets; the others keep their value (or the default, on creation)."""

    slot_minutes: int | UnsetType = UNSET
    min_minutes: int | UnsetType = UNSET
    max_minutes: int | UnsetType = UNSET
    book_ahead_max_days: int | UnsetType = UNSET
    book_ahead_min_minutes: int | UnsetType = UNSET
    cancel_before_minutes: int | UnsetType = UNSET
    weekly_quota_minutes: int | None | UnsetType = UNSET
    requires_approval: bool | UnsetType = UNSET
    who_can_book: str | UnsetType = UNSET
    partner_organization_ids: list[str] | UnsetType = UNSET


class NewSpace(msgspec.Struct, kw_only=True):
    name: str
    kind: str
    capacity: int
    timezone: str = "Asia/Shanghai"
    opening_hours: dict[str, list[str]] | UnsetType = UNSET  # weekday → ranges; unset: closed
    closures: list[Closure] = []
    rules: RulesChange | None = None


class SpaceChange(msgspec.Struct, kw_only=True):
    name: str | UnsetType = UNSET
    kind: str | UnsetType = UNSET
    capacity: int | UnsetType = UNSET
    timezone: str | UnsetType = UNSET
    opening_hours: dict[str, list[str]] | UnsetType = UNSET
    closures: list[Closure] | UnsetType = UNSET
    rules: RulesChange | UnsetType = UNSET


async def visible_space(conn: asyncpg.Connection, actor: Actor, space_id: str, *, for_update: bool = False) -> Space:
    space = await spaces.get(conn, actor.principal.street_id, space_id, for_update=for_update)
    return visible_or_404(space, lambda found: may_see(actor, found))


def _stored(fields: dict[str, Any], rules: SpaceRules) -> dict[str, Any]:
    """The columns of a space as stored, after checking what the rules of hours and closures
    ask (a day without ranges is closed and not stored)."""
    if "opening_hours" in fields:
        fields["opening_hours"] = {day: hours for day, hours in fields["opening_hours"].items() if hours}
        check_opening_hours(fields["opening_hours"])
    if "closures" in fields:
        check_closures(fields["closures"])
        fields["closures"] = spaces.stored_closures(fields["closures"])
    fields["rules"] = rules.to_stored()
    return fields


async def _event(conn: asyncpg.Connection, action: str, space: Space, changed: list[str] | None = None) -> None:
    data: dict[str, Any] = {"space": snapshot(space)}
    if changed is not None:
        data["changed"] = changed
    await record_event(conn, f"space.{action}", "space", space, data)


async def _owner_place(conn: asyncpg.Connection, who: Principal, *, building_id: str | None,
                       community_id: str | None) -> Place:
    """The building or community a space belongs to, when the caller sees it (else 404)."""
    if building_id is not None:
        return places.building_place(await places.get_building(conn, who, building_id))
    return places.community_place(await places.get_community(conn, who, community_id))  # type: ignore[arg-type]


def _rules(rules: SpaceRules, change: RulesChange | None | UnsetType, building_id: str | None) -> SpaceRules:
    changed = rules.changed(changes_of(change) if isinstance(change, RulesChange) else {})
    check_fits_place(changed, building_id)
    return changed


async def create_space(conn: asyncpg.Connection, who: Principal, command: NewSpace, *,
                       building_id: str | None = None, community_id: str | None = None) -> Space:
    place = await _owner_place(conn, who, building_id=building_id, community_id=community_id)
    actor = await actor_for(conn, who)
    ensure_for(actor, actor.leader_of(place))
    default_who = "building" if building_id else "community"
    rules = _rules(SpaceRules(who_can_book=default_who), command.rules, building_id)
    fields = {"name": command.name, "kind": command.kind, "capacity": command.capacity,
              "timezone": command.timezone, "closures": command.closures,
              "opening_hours": command.opening_hours if command.opening_hours is not UNSET else {}}
    space = await spaces.insert(conn, id=new_id("space"), street_id=who.street_id, community_id=place.community_id,
                                building_id=building_id, fields=_stored(fields, rules))
    await _event(conn, "created", space)
    return space


async def update_space(conn: asyncpg.Connection, who: Principal, space_id: str, change: SpaceChange,
                       precondition: Precondition) -> Space:
    actor = await actor_for(conn, who)
    current = await visible_space(conn, actor, space_id, for_update=True)
    ensure_for(actor, actor.leader_of(place_of(current)))
    precondition(current)
    changes = changes_of(change)
    if not changes:
        return current
    rules = _rules(current.rules, change.rules, current.building_id)
    fields = {name: getattr(change, name) for name in changes}  # the closures stay models
    space = await spaces.update(conn, who.street_id, space_id, _stored(fields, rules))
    await _event(conn, "updated", space, sorted(changes))
    return space


async def get_space(conn: asyncpg.Connection, who: Principal, space_id: str) -> Space:
    return await visible_space(conn, await actor_for(conn, who), space_id)


async def list_spaces(conn: asyncpg.Connection, who: Principal, keyset: Keyset, *, building_id: str | None = None,
                      community_id: str | None = None) -> list[Space]:
    """Of a building or community (whoever sees it), or — neither given — all the caller may book."""
    if building_id is not None or community_id is not None:
        await _owner_place(conn, who, building_id=building_id, community_id=community_id)
        return await spaces.page(conn, who.street_id, keyset, building_id=building_id, community_id=community_id)
    actor = await actor_for(conn, who)
    if actor.street_wide(write=False):
        return await spaces.page(conn, who.street_id, keyset)
    return await spaces.page(conn, who.street_id, keyset, bookable=bookable_by(actor))


# The calendar feed's secret

def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def rotate_calendar_token(conn: asyncpg.Connection, who: Principal, space_id: str) -> tuple[Space, str]:
    actor = await actor_for(conn, who)
    space = await visible_space(conn, actor, space_id, for_update=True)
    ensure_for(actor, actor.leader_of(place_of(space)))
    token = secrets.token_urlsafe(32)
    await spaces.set_calendar_digest(conn, space_id, token_digest(token))
    await record_event(conn, "space.calendar_token_rotated", "space", space)
    return space, token


async def space_by_feed_token(conn: asyncpg.Connection, space_id: str, token: str) -> Space:
    """The space whose calendar feed ``token`` opens (404 otherwise): the token is the feed's
    only credential, so the space may be of any street."""
    found = await spaces.calendar_digest(conn, space_id)
    if found is None or not hmac.compare_digest(found[1], token_digest(token)):
        raise NotFound("not_found")
    return found[0]
