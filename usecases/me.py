"""The signed-in person: their profile, households and roles, joining and leaving
households, and erasure of their personal data (PIPL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from domain.permissions import Principal, ensure, may_redeem_invite
from store import households, memberships, persons, points, roles
from store.erasure import erase_authored_text
from store.events import Subject, append_event
from usecases.actors import actor_for
from usecases.invites import digest_of, issue_code
from usecases.places import household_place


@dataclass(frozen=True)
class Profile:
    person: asyncpg.Record
    memberships: list[asyncpg.Record]
    roles: list[asyncpg.Record]
    points_balance: int


def _person_id(who: Principal) -> str:
    if who.kind != "person" or who.person_id is None:
        raise Forbidden("person_required")
    return who.person_id


async def live_person(conn: asyncpg.Connection, who: Principal, *, for_update: bool = False) -> asyncpg.Record:
    person = await persons.get(conn, _person_id(who), for_update=for_update)
    if person is None or person["erased_at"] is not None:
        raise NotFound("not_found")
    return person


async def profile(conn: asyncpg.Connection, who: Principal) -> Profile:
    """The caller's profile; households and roles are those of the token's street."""
    person = await live_person(conn, who)
    street = who.street_id
    return Profile(
        person=person,
        memberships=[m for m in await memberships.live_of_person(conn, person["id"]) if m["street_id"] == street],
        roles=[r for r in await roles.live_of_person(conn, person["id"]) if r["street_id"] == street],
        points_balance=await points.balance(conn, person["id"], street),
    )


async def update_profile(conn: asyncpg.Connection, who: Principal, changes: dict[str, Any],
                         precondition: Callable[[Profile], None]) -> Profile:
    await live_person(conn, who, for_update=True)
    precondition(await profile(conn, who))
    if changes:
        await persons.update(conn, _person_id(who), changes)
    return await profile(conn, who)


async def erase(conn: asyncpg.Connection, who: Principal) -> None:
    """Erase the caller's personal data and the text they wrote (store/erasure.py), in one
    transaction. Past acts stay, pointing at an anonymous person; memberships end and roles
    are revoked, each with its event in its street."""
    person = await live_person(conn, who, for_update=True)
    for left in await memberships.leave_all(conn, person["id"]):
        await append_event(conn, type="household.left", street_id=left["street_id"],
                           subject=Subject("household", left["household_id"]),
                           community_id=left["community_id"], building_id=left["building_id"],
                           data={"membership_id": left["id"], "reason": "erased"})
    for revoked in await roles.revoke_all(conn, person["id"]):
        await append_event(conn, type="role.revoked", street_id=revoked["street_id"],
                           subject=Subject("role", revoked["id"]), community_id=revoked["community_id"],
                           building_id=revoked["building_id"],
                           data={"role": revoked["role"], "reason": "erased"})
    await conn.execute("UPDATE refresh_tokens SET revoked_at = clock_timestamp() "
                       "WHERE person_id = $1 AND revoked_at IS NULL", person["id"])
    await erase_authored_text(conn, person["id"])
    await persons.erase(conn, person["id"])


# Household invites and membership

async def invite_to_household(conn: asyncpg.Connection, who: Principal, household_id: str, *,
                              role: str, head: bool) -> tuple[asyncpg.Record, str]:
    """A one-time code for joining the household: by a leader of its building, or by its head
    (a head may invite members, not hand the headship over). Returns (invite, code)."""
    actor = await actor_for(conn, who)
    household = await households.get(conn, who.street_id, household_id)
    if household is None:
        raise NotFound("not_found")
    place = household_place(household)
    if not (actor.leader_of(place, write=False) or actor.resident_of(place)):
        raise NotFound("not_found")
    ensure(actor.leader_of(place) or (actor.head_of(household_id) and not head))
    code = issue_code()
    invite = await memberships.insert_invite(
        conn, household=household, code_digest=code.digest, role=role, head=head,
        created_by=who.person_id or who.client_id, expires_at=code.expires_at)
    return invite, code.code


async def join_household(conn: asyncpg.Connection, who: Principal, invite_code: str) -> asyncpg.Record:
    person = await live_person(conn, who)
    code_digest = digest_of(invite_code)
    invite = await memberships.claim_invite(conn, code_digest, who.street_id) if code_digest else None
    if invite is None:
        raise RuleViolation("invalid_invite")
    if not may_redeem_invite(person["id"], invite["created_by"]):
        raise RuleViolation("own_invite")
    household = await households.get(conn, who.street_id, invite["household_id"])
    membership = await memberships.insert(conn, household=household, person_id=person["id"],
                                          role=invite["role"], head=invite["head"])
    if membership is None:
        raise Conflict("already_member")
    await memberships.mark_invite_used(conn, invite["id"], person["id"])
    await append_event(conn, type="household.joined", street_id=household["street_id"],
                       subject=Subject("household", household["id"]), community_id=household["community_id"],
                       building_id=household["building_id"],
                       data={"membership_id": membership["id"], "household_id": household["id"],
                             "person_id": person["id"], "role": membership["role"], "head": membership["head"]})
    return membership


async def leave_household(conn: asyncpg.Connection, who: Principal, membership_id: str) -> None:
    person = await live_person(conn, who)
    membership = await memberships.get_live(conn, membership_id, person["id"])
    if membership is None or membership["street_id"] != who.street_id:
        raise NotFound("not_found")
    await memberships.leave(conn, membership_id)
    await append_event(conn, type="household.left", street_id=membership["street_id"],
                       subject=Subject("household", membership["household_id"]),
                       community_id=membership["community_id"], building_id=membership["building_id"],
                       data={"membership_id": membership_id, "reason": "left"})
