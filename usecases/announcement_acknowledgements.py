"""我已知晓: a household acknowledges an announcement once (whoever of it presses first; the
same request again changes nothing), and the leaders' follow-up: per building, how many of
the frozen audience acknowledged and which units have not yet (for door-to-door visits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg
import msgspec

from domain import announcements as rules
from domain.announcements import Acknowledgement
from domain.errors import RuleViolation
from domain.permissions import Place, Principal, ensure_for
from store import announcements as store
from usecases.actors import actor_for
from usecases.announcements import visible_announcement
from usecases.kernel import person_of, record_event


class Acknowledge(msgspec.Struct, kw_only=True):
    household_id: str | None = None


@dataclass(frozen=True)
class BuildingFollowUp:
    building_id: str
    name: str
    households: int
    acknowledged: int
    not_acknowledged_units: list[str]


@dataclass(frozen=True)
class FollowUp:
    announcement_id: str
    households: int
    acknowledged: int
    buildings: list[BuildingFollowUp]


async def acknowledge(conn: asyncpg.Connection, who: Principal, announcement_id: str, command: Acknowledge,
                      now: datetime) -> Acknowledgement:
    """Idempotent: a household that acknowledged already gets its acknowledgement back (the
    first one), whatever the announcement's status since."""
    actor = await actor_for(conn, who)
    person = person_of(actor)
    announcement = await visible_announcement(conn, actor, announcement_id)
    tie = rules.acknowledging_household(list(actor.grants.households.values()), rules.place_of(announcement),
                                        command.household_id)
    if (announcement.id, tie.household_id) in await store.acknowledged_households(
            conn, [announcement.id], [tie.household_id]):
        return await store.acknowledgement(conn, announcement.id, tie.household_id)
    if not announcement.requires_acknowledgement:
        raise RuleViolation("acknowledgement_not_required")
    rules.ensure_status(announcement.status, "published")
    if await store.acknowledge(conn, announcement.id, tie.household_id, tie.building_id, person, now):
        found = await store.acknowledgement(conn, announcement.id, tie.household_id)
        await record_event(conn, "announcement.acknowledged", "announcement", announcement, {
            "household_id": tie.household_id, "counted": found.in_audience})
        return found
    return await store.acknowledgement(conn, announcement.id, tie.household_id)  # a concurrent twin won


async def acknowledged_by(conn: asyncpg.Connection, who: Principal, announcements: list[str]) -> set[str]:
    """The announcements (of these ids) that one of the caller's households acknowledged."""
    if who.person_id is None or not announcements:
        return set()
    actor = await actor_for(conn, who)
    households = list(actor.grants.households)
    if not households:
        return set()
    pairs = await store.acknowledged_households(conn, announcements, households)
    return {announcement for announcement, _ in pairs}


async def follow_up(conn: asyncpg.Connection, who: Principal, announcement_id: str,
                    building_id: str | None) -> FollowUp:
    """Its author and the leaders of its scope see every building; the leaders of some of its
    buildings (a building's leader, a community's staff for a street-wide one) see those."""
    actor = await actor_for(conn, who)
    announcement = await visible_announcement(conn, actor, announcement_id)
    whole = rules.may_manage(actor, announcement) or actor.leader_of(rules.place_of(announcement), write=False)
    rows = await store.per_building(conn, announcement.id, building_id)
    if not whole:  # the leaders of some of its buildings (their leader, their community's staff): those
        rows = [row for row in rows
                if actor.leader_of(Place(announcement.street_id, community_id=row[1], building_id=row[0]), write=False)]
        ensure_for(actor, bool(rows) or (building_id is not None and bool(actor.grants.buildings or
                                                                          actor.grants.communities)))
    buildings = [BuildingFollowUp(row[0], row[2], row[3], row[4], row[5]) for row in rows]
    return FollowUp(announcement.id, sum(b.households for b in buildings), sum(b.acknowledged for b in buildings),
                    buildings)


async def anonymise(conn: asyncpg.Connection, person_id: str) -> None:
    """Erasure (usecases/me.py): the acknowledgements stay, without the person."""
    await store.anonymise(conn, person_id)
