"""Who lives in a building, as others may see them (PIPL): display names masked, unit
labels, never a phone number — except to community staff who ask for contact details, each
such read written to the audit log the street can query."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from domain.errors import Forbidden, NotFound
from domain.people import AuditEntry, Member, Person
from domain.permissions import Place, Principal, ensure, ensure_for
from store import audit, persons
from store import memberships as membership_store
from store.paging import Keyset
from usecases.actors import actor_for
from usecases.places import building_place, household_place, visible_building, visible_household

CONTACT_FIELDS = ["real_name", "phone"]


@dataclass(frozen=True)
class Visibility:
    """What the caller may see of the members: person ids (leaders), masked phones
    (leaders), full contact details (community staff who asked, audited)."""

    person_ids: bool
    contact: bool
    phones: bool | None = None  # masked phone numbers; by default with the person ids


async def list_members(conn: asyncpg.Connection, who: Principal, building_id: str, keyset: Keyset, *,
                       reveal_contact: bool, request_id: str | None) -> tuple[list[Member], Visibility]:
    actor = await actor_for(conn, who)
    place = building_place(await visible_building(conn, actor, building_id))
    if reveal_contact:
        # Full names and numbers: community staff and street officers, as persons (a machine
        # client has no need to read them).
        ensure(not actor.is_platform and actor.staff_of(place))
    rows = await membership_store.page_of_building(conn, who.street_id, building_id, keyset)
    if reveal_contact and rows:
        shown = rows[: keyset.limit]
        await audit.record_reads(conn, street_id=who.street_id, actor_client=who.client_id,
                                 actor_person=who.person_id, action="members.contact_read",
                                 subject_ids=[member.person_id for member in shown], fields=CONTACT_FIELDS,
                                 request_id=request_id)
    return rows, Visibility(person_ids=actor.leader_of(place, write=False), contact=reveal_contact)


async def list_household_members(conn: asyncpg.Connection, who: Principal, household_id: str,
                                 keyset: Keyset) -> tuple[list[Member], Visibility]:
    """A household's members with when each joined: for its own members (so its head sees
    anyone who joins) and its building's leaders and above. Members see each other's person
    ids, as leaders do; never a phone number beyond the leaders' masked one."""
    actor = await actor_for(conn, who)
    place = household_place(await visible_household(conn, actor, household_id))
    leader = actor.leader_of(place, write=False)
    rows = await membership_store.page_of_household(conn, who.street_id, household_id, keyset)
    return rows, Visibility(person_ids=True, contact=False, phones=leader)


async def audit_page(conn: asyncpg.Connection, who: Principal, keyset: Keyset,
                     subject_id: str | None) -> list[AuditEntry]:
    actor = await actor_for(conn, who)
    ensure_for(actor, actor.street_wide(write=False), "street:read")
    return await audit.page(conn, who.street_id, keyset, subject_id=subject_id)


async def person_exists(conn: asyncpg.Connection, person_id: str) -> bool:
    """Whether a person is known (persons are global, not of a street)."""
    return await persons.get(conn, person_id) is not None


def person_id_of(who: Principal) -> str:
    """The person behind a person's token; 403 ``person_required`` for a platform client."""
    if who.kind != "person" or who.person_id is None:
        raise Forbidden("person_required")
    return who.person_id


async def live_person(conn: asyncpg.Connection, who: Principal, *, for_update: bool = False) -> Person:
    """The caller as a person who has not erased themself, else 404."""
    person = await persons.get(conn, person_id_of(who), for_update=for_update)
    if person is None or person.erased_at is not None:
        raise NotFound("not_found")
    return person


async def places_of_person(conn: asyncpg.Connection, street_id: str, person_id: str) -> list[Place]:
    """The households a person lives in now, in the street, as places (for the rules that ask
    who leads them)."""
    return [Place(m.street_id, community_id=m.community_id, building_id=m.building_id, household_id=m.household_id)
            for m in await membership_store.live_of_person(conn, person_id) if m.street_id == street_id]
