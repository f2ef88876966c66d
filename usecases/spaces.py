"""Shared spaces: created and changed by the leaders of their place, seen by those who may
book them or who see the place; their availability; their calendar feed's secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from domain.bookings import (
    MAX_AVAILABILITY_SPAN,
    UTC,
    SpaceRules,
    SpaceTerms,
    check_opening_hours,
    free_ranges,
)
from domain.errors import NotFound, RuleViolation
from domain.ids import new_id
from domain.permissions import Actor, Place, Principal, ensure_for, ensure_visible
from store import bookings, buildings, communities, spaces
from store.events import Subject, append_event
from store.paging import Keyset
from store.rows import snapshot
from usecases.actors import actor_for

Precondition = Callable[[asyncpg.Record], None]


def space_place(row: asyncpg.Record) -> Place:
    return Place(row["street_id"], community_id=row["community_id"], building_id=row["building_id"])


def terms_of(row: asyncpg.Record) -> SpaceTerms:
    closures = [(datetime.fromisoformat(c["start_at"]).astimezone(UTC), datetime.fromisoformat(c["end_at"]).astimezone(UTC))
                for c in row["closures"]]
    return SpaceTerms(timezone=row["timezone"], opening_hours=row["opening_hours"], closures=closures,
                      rules=SpaceRules.from_stored(row["rules"]), capacity=row["capacity"])


def qualifying_households(actor: Actor, space: asyncpg.Record) -> list[str]:
    """The caller's households that may book the space under its `who_can_book`."""
    who = SpaceRules.from_stored(space["rules"]).who_can_book
    ties = actor.grants.households.values()
    if who == "building" and space["building_id"] is not None:
        return sorted(t.household_id for t in ties if t.building_id == space["building_id"])
    if who in ("building", "community"):
        return sorted(t.household_id for t in ties if t.community_id == space["community_id"])
    return sorted(t.household_id for t in ties)


def partner_organizations(actor: Actor, space: asyncpg.Record) -> list[str]:
    listed = SpaceRules.from_stored(space["rules"]).partner_organization_ids
    return sorted(set(listed) & actor.grants.organizations)


def may_see(actor: Actor, space: asyncpg.Record) -> bool:
    return (actor.sees(space_place(space)) or bool(qualifying_households(actor, space))
            or bool(partner_organizations(actor, space)))


async def visible_space(conn: asyncpg.Connection, actor: Actor, space_id: str, *,
                        for_update: bool = False) -> asyncpg.Record:
    row = await spaces.get(conn, actor.principal.street_id, space_id, for_update=for_update)
    if row is None or not may_see(actor, row):
        raise NotFound("not_found")
    return row


def _stored(fields: dict[str, Any], rules: SpaceRules) -> dict[str, Any]:
    if "opening_hours" in fields:
        check_opening_hours(fields["opening_hours"])
    if "closures" in fields:
        for closure in fields["closures"]:
            if closure["end_at"] <= closure["start_at"]:
                raise RuleViolation("invalid_period")
        fields["closures"] = [{"start_at": c["start_at"].isoformat(), "end_at": c["end_at"].isoformat(),
                               "reason": c.get("reason", "")} for c in fields["closures"]]
    fields["rules"] = rules.to_stored()
    return fields


async def _event(conn: asyncpg.Connection, action: str, row: asyncpg.Record, changed: list[str] | None = None) -> None:
    data: dict[str, Any] = {"space": snapshot(row)}
    if changed is not None:
        data["changed"] = changed
    await append_event(conn, type=f"space.{action}", street_id=row["street_id"], subject=Subject("space", row["id"]),
                       data=data, community_id=row["community_id"], building_id=row["building_id"])


async def _owner_place(conn: asyncpg.Connection, actor: Actor, *, building_id: str | None,
                       community_id: str | None) -> Place:
    street = actor.principal.street_id
    if building_id is not None:
        row = await buildings.get(conn, street, building_id)
        place = None if row is None else Place(street, community_id=row["community_id"], building_id=row["id"])
    else:
        row = await communities.get(conn, street, community_id)  # type: ignore[arg-type]
        place = None if row is None else Place(street, community_id=row["id"])
    if place is None:
        raise NotFound("not_found")
    ensure_visible(actor, place)
    return place


async def create_space(conn: asyncpg.Connection, who: Principal, fields: dict[str, Any], *,
                       building_id: str | None = None, community_id: str | None = None) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    place = await _owner_place(conn, actor, building_id=building_id, community_id=community_id)
    ensure_for(actor, actor.leader_of(place))
    default_who = "building" if building_id else "community"
    rules = SpaceRules(who_can_book=default_who).changed(fields.pop("rules", None) or {})
    if rules.who_can_book == "building" and building_id is None:
        raise RuleViolation("invalid_space_rules")
    fields.setdefault("opening_hours", {})
    fields.setdefault("closures", [])
    row = await spaces.insert(conn, id=new_id("space"), street_id=who.street_id, community_id=place.community_id,
                              building_id=building_id, fields=_stored(fields, rules))
    await _event(conn, "created", row)
    return row


async def update_space(conn: asyncpg.Connection, who: Principal, space_id: str, changes: dict[str, Any],
                       precondition: Precondition) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    current = await visible_space(conn, actor, space_id, for_update=True)
    ensure_for(actor, actor.leader_of(space_place(current)))
    precondition(current)
    if not changes:
        return current
    rules = SpaceRules.from_stored(current["rules"]).changed(changes.get("rules") or {})
    if rules.who_can_book == "building" and current["building_id"] is None:
        raise RuleViolation("invalid_space_rules")
    row = await spaces.update(conn, who.street_id, space_id, _stored(dict(changes), rules))
    await _event(conn, "updated", row, sorted(changes))
    return row


async def get_space(conn: asyncpg.Connection, who: Principal, space_id: str) -> asyncpg.Record:
    return await visible_space(conn, await actor_for(conn, who), space_id)


async def list_spaces(conn: asyncpg.Connection, who: Principal, keyset: Keyset, *, building_id: str | None = None,
                      community_id: str | None = None) -> list[asyncpg.Record]:
    """Of a building or community (whoever sees it), or — neither given — all the caller may book."""
    actor = await actor_for(conn, who)
    if building_id is not None or community_id is not None:
        await _owner_place(conn, actor, building_id=building_id, community_id=community_id)
        return await spaces.page(conn, who.street_id, keyset, building_id=building_id, community_id=community_id)
    if actor.street_wide(write=False):
        return await spaces.page(conn, who.street_id, keyset)
    grants, ties = actor.grants, actor.grants.households.values()
    bookable = {"buildings": sorted({t.building_id for t in ties}),
                "communities": sorted({t.community_id for t in ties}), "any_household": bool(grants.households),
                "organizations": sorted(grants.organizations), "led_buildings": sorted(grants.buildings),
                "led_communities": sorted(grants.communities)}
    return await spaces.page(conn, who.street_id, keyset, bookable=bookable)


async def availability(conn: asyncpg.Connection, who: Principal, space_id: str, start: datetime, end: datetime,
                       now: datetime) -> tuple[asyncpg.Record, list[tuple[datetime, datetime]]]:
    if end <= start or end - start > MAX_AVAILABILITY_SPAN:
        raise RuleViolation("invalid_period")
    space = await visible_space(conn, await actor_for(conn, who), space_id)
    busy = await bookings.busy(conn, space_id, start, end)
    return space, free_ranges(terms_of(space), start, end, now, busy)


# The calendar feed's secret

def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def rotate_calendar_token(conn: asyncpg.Connection, who: Principal, space_id: str) -> tuple[asyncpg.Record, str]:
    actor = await actor_for(conn, who)
    space = await visible_space(conn, actor, space_id, for_update=True)
    ensure_for(actor, actor.leader_of(space_place(space)))
    token = secrets.token_urlsafe(32)
    await spaces.set_calendar_digest(conn, space_id, token_digest(token))
    await append_event(conn, type="space.calendar_token_rotated", street_id=space["street_id"],
                       subject=Subject("space", space_id), data={"space_id": space_id},
                       community_id=space["community_id"], building_id=space["building_id"])
    return space, token


async def calendar_feed(conn: asyncpg.Connection, space_id: str, token: str,
                        now: datetime) -> tuple[asyncpg.Record, list[asyncpg.Record]]:
    """The space's busy times, for whoever holds its feed token (404 otherwise)."""
    found = await spaces.calendar_digest(conn, space_id)
    if found is None or not hmac.compare_digest(found[1], token_digest(token)):
        raise NotFound("not_found")
    return found[0], await bookings.calendar(conn, space_id, now - timedelta(days=30))
