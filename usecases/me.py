"""The signed-in person: their profile, households and roles, joining and leaving
households, and erasure of their personal data (PIPL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain.errors import Conflict, NotFound
from domain.people import HouseholdInvite, Membership, Person
from domain.permissions import Principal, ensure
from domain.roles import RoleGrant
from store import memberships, persons, resident_invitations
from store.erasure import erase_authored_text
from store.events import Subject, append_event
from usecases import invites, members, points, rewards, roles
from usecases import activity_signups, announcement_acknowledgements, my_feed, talents
from usecases.actors import actor_for
from usecases.kernel import changes_of
from usecases.moderation import ContentChecker
from usecases.places import find_household, household_place, visible_household


class ProfileChange(msgspec.Struct):
    nickname: str | None | UnsetType = UNSET
    real_name: str | None | UnsetType = UNSET
    show_on_leaderboard: bool | UnsetType = UNSET


@dataclass(frozen=True)
class Profile:
    person: Person
    memberships: list[Membership]
    roles: list[RoleGrant]
    points_balance: int


async def profile(conn: asyncpg.Connection, who: Principal) -> Profile:
    """The caller's profile; households and roles are those of the token's street."""
    person = await members.live_person(conn, who)
    street = who.street_id
    return Profile(
        person=person,
        memberships=[m for m in await memberships.live_of_person(conn, person.id) if m.street_id == street],
        roles=await roles.held_by(conn, person.id, street),
        points_balance=await points.balance(conn, person.id, street),
    )


async def update_profile(conn: asyncpg.Connection, who: Principal, command: ProfileChange,
                         precondition: Callable[[Profile], None], checker: ContentChecker | None = None) -> Profile:
    """Change the caller's profile. New names are checked with WeChat's content check
    (scene 1, ``ContentChecker.check_name``) before anything is saved."""
    await members.live_person(conn, who, for_update=True)
    precondition(await profile(conn, who))
    changes = changes_of(command)
    names = [changes[field] for field in ("nickname", "real_name") if changes.get(field)]
    if checker is not None and names:
        await checker.check_name(conn, who, names)
    if changes:
        await persons.update(conn, members.person_id_of(who), changes)
    return await profile(conn, who)


async def erase(conn: asyncpg.Connection, who: Principal, now: datetime) -> None:
    """Erase the caller's personal data and the text they wrote (store/erasure.py), in one
    transaction. Past acts stay, pointing at an anonymous person; memberships end and roles
    are revoked, each with its event in its street."""
    person = await members.live_person(conn, who, for_update=True)
    # points (the community spec, "Personal information"): pending redemptions cancelled, the rest forfeited
    await rewards.cancel_all_of(conn, person.id, now)
    await points.forfeit(conn, person.id, now)
    # activities and the talent pool: coming sign-ups cancelled, all anonymised; talents and invitations gone
    await activity_signups.erase(conn, person.id, now)
    await talents.erase(conn, person.id)
    for left in await memberships.leave_all(conn, person.id):
        await append_event(conn, type="household.left", street_id=left.street_id,
                           subject=Subject("household", left.household_id),
                           community_id=left.community_id, building_id=left.building_id,
                           data={"membership_id": left.id, "reason": "erased"})
    await roles.revoke_all_of(conn, person.id, "erased")
    await conn.execute("UPDATE refresh_tokens SET revoked_at = clock_timestamp() "
                       "WHERE person_id = $1 AND revoked_at IS NULL", person.id)
    await erase_authored_text(conn, person.id)
    await announcement_acknowledgements.anonymise(conn, person.id)  # the household's acknowledgement stays
    await my_feed.forget(conn, person.id)
    await persons.erase(conn, person.id)


# Household invites and membership

async def invite_to_household(conn: asyncpg.Connection, who: Principal, household_id: str, *,
                              role: str, head: bool) -> tuple[HouseholdInvite, str]:
    """A one-time code for joining the household: by a leader of its building, or by its head
    (a head may invite members, not hand the headship over). Returns (invite, code)."""
    actor = await actor_for(conn, who)
    household = await visible_household(conn, actor, household_id)
    ensure(actor.leader_of(household_place(household)) or (actor.head_of(household_id) and not head))
    return await invites.issue(conn, HouseholdInvite, street_id=who.street_id,
                               issued_by=who.person_id or who.client_id,
                               terms={"household_id": household.id, "role": role, "head": head})


async def _admit(conn: asyncpg.Connection, street_id: str, household_id: str, person_id: str, *, role: str,
                 head: bool) -> Membership | None:
    """The person joins the household (an invite's terms), with its event; None when already a member."""
    household = await find_household(conn, street_id, household_id)
    assert household is not None  # an invite's household is never deleted
    membership = await memberships.insert(conn, household=household, person_id=person_id, role=role, head=head)
    if membership is not None:
        await append_event(conn, type="household.joined", street_id=household.street_id,
                           subject=Subject("household", household.id), community_id=household.community_id,
                           building_id=household.building_id,
                           data={"membership_id": membership.id, "household_id": household.id,
                                 "person_id": person_id, "role": membership.role, "head": membership.head})
    return membership


async def join_household(conn: asyncpg.Connection, who: Principal, invite_code: str) -> Membership:
    person = await members.live_person(conn, who)

    async def join(invite: HouseholdInvite) -> Membership:
        membership = await _admit(conn, who.street_id, invite.household_id, person.id, role=invite.role,
                                  head=invite.head)
        if membership is None:
            raise Conflict("already_member")
        return membership

    return await invites.redeem(conn, HouseholdInvite, street_id=who.street_id, person_id=person.id,
                                typed_code=invite_code, apply=join)


async def join_invited(conn: asyncpg.Connection, street_id: str, person_id: str, phone_digest: bytes,
                       now: datetime) -> None:
    """A verified phone number redeems the street platform's open invitations for it (the
    ``residents`` import kind): the person joins each household named, once."""
    for invitation in await resident_invitations.claim_open(conn, street_id, phone_digest, now):
        await _admit(conn, street_id, invitation.household_id, person_id, role=invitation.role,
                     head=invitation.head)
        await resident_invitations.mark_redeemed(conn, invitation.id, person_id, now)


async def leave_household(conn: asyncpg.Connection, who: Principal, membership_id: str) -> None:
    person = await members.live_person(conn, who)
    membership = await memberships.get_live(conn, membership_id, person.id)
    if membership is None or membership.street_id != who.street_id:
        raise NotFound("not_found")
    await memberships.leave(conn, membership_id)
    await append_event(conn, type="household.left", street_id=membership.street_id,
                       subject=Subject("household", membership.household_id),
                       community_id=membership.community_id, building_id=membership.building_id,
                       data={"membership_id": membership_id, "reason": "left"})
