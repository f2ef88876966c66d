"""Roles on scopes: granted, listed and revoked by those above them, or granted to someone
not yet known through a one-time role invite.

Who may grant: a building's leader role — community staff of its community or anyone
street-wide; community staff — street-wide writers; street officers — street-wide writers;
organisation members — staff of the organisation's community (street-wide writers for a
street-level organisation)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from domain.errors import Conflict, NotFound, RuleViolation
from domain.permissions import (
    Actor,
    Place,
    Principal,
    ensure_for,
    ensure_visible,
    may_administer_role,
    may_list_role,
)
from domain.roles import ROLE_SCOPE_TYPES, RoleGrant, RoleInvite
from store import roles
from store.events import Subject, append_event
from store.paging import Keyset
from usecases import invites, members, organizations, places
from usecases.actors import actor_for


@dataclass(frozen=True)
class Scope:
    role: str
    type: str
    id: str
    place: Place


async def scope_of(conn: asyncpg.Connection, who: Principal, role: str, scope_id: str) -> Scope:
    """Resolve the scope a role is held on (404 when it is not the street's)."""
    street = who.street_id
    if role == "building_leader":
        building = await places.find_building(conn, street, scope_id)
        if building is not None:
            return Scope(role, "building", scope_id, Place(street, building.community_id, building.id))
    elif role == "community_staff":
        community = await places.find_community(conn, street, scope_id)
        if community is not None:
            return Scope(role, "community", scope_id, Place(street, community.id))
    elif role == "street_officer" and scope_id == street:
        return Scope(role, "street", street, Place(street))
    elif role == "organization_member":
        organization = await organizations.find(conn, street, scope_id)
        if organization is not None:
            return Scope(role, "organization", scope_id, Place(street, organization.community_id))
    raise NotFound("not_found")


def may_administer(actor: Actor, scope: Scope) -> bool:
    return may_administer_role(actor, scope.role, scope.place)


def may_list(actor: Actor, scope: Scope) -> bool:
    return may_list_role(actor, scope.type, scope.place)


async def _grant(conn: asyncpg.Connection, scope: Scope, person_id: str, granted_by: str) -> RoleGrant:
    role = await roles.insert(conn, street_id=scope.place.street_id, person_id=person_id, role=scope.role,
                              scope_type=scope.type, scope_id=scope.id, community_id=scope.place.community_id,
                              building_id=scope.place.building_id, granted_by=granted_by)
    if role is None:
        raise Conflict("role_already_held")
    await append_event(conn, type="role.granted", street_id=scope.place.street_id,
                       subject=Subject("role", role.id), community_id=scope.place.community_id,
                       building_id=scope.place.building_id,
                       data={"role": scope.role, "scope": {"type": scope.type, "id": scope.id},
                             "person_id": person_id})
    return role


async def grant(conn: asyncpg.Connection, who: Principal, role: str, scope_id: str,
                person_id: str, named_role: str | None = None) -> RoleGrant:
    """Grant the role of the path's scope; ``named_role`` is the body's ``role``, which must be
    that role when given (422 ``role_not_in_scope``)."""
    actor = await actor_for(conn, who)
    scope = await scope_of(conn, who, role, scope_id)
    if scope.type in ("building", "community"):
        ensure_visible(actor, scope.place)
    ensure_for(actor, may_administer(actor, scope))
    if named_role is not None and named_role != role:
        raise RuleViolation("role_not_in_scope")
    if not await roles.person_known_in_street(conn, person_id, who.street_id):
        raise RuleViolation("person_not_in_street")
    return await _grant(conn, scope, person_id, who.person_id or who.client_id)


async def list_on_scope(conn: asyncpg.Connection, who: Principal, role: str, scope_id: str,
                        keyset: Keyset) -> list[RoleGrant]:
    actor = await actor_for(conn, who)
    scope = await scope_of(conn, who, role, scope_id)
    if scope.type in ("building", "community"):
        ensure_visible(actor, scope.place)
    ensure_for(actor, may_list(actor, scope), "street:read")
    return await roles.page_on_scope(conn, who.street_id, scope_id, keyset)


async def revoke(conn: asyncpg.Connection, who: Principal, role_id: str) -> None:
    actor = await actor_for(conn, who)
    role = await roles.get_live(conn, who.street_id, role_id)
    if role is None:
        raise NotFound("not_found")
    scope = await scope_of(conn, who, role.role, role.scope_id)
    if not (may_list(actor, scope) or actor.person_id == role.person_id):
        raise NotFound("not_found")
    ensure_for(actor, may_administer(actor, scope))
    await roles.revoke(conn, role_id)
    await append_event(conn, type="role.revoked", street_id=role.street_id, subject=Subject("role", role_id),
                       community_id=role.community_id, building_id=role.building_id,
                       data={"role": role.role, "reason": "revoked"})


async def invite(conn: asyncpg.Connection, who: Principal, community_id: str, role: str, scope_type: str,
                 scope_id: str) -> tuple[RoleInvite, str]:
    """A one-time code that grants ``role`` on the scope to whoever redeems it. The scope is
    the community itself (community staff), one of its buildings (building leader) or one of
    its organisations (organisation member)."""
    actor = await actor_for(conn, who)
    await places.visible_community(conn, actor, community_id)
    if ROLE_SCOPE_TYPES.get(role) != scope_type or role == "street_officer":
        raise RuleViolation("invalid_role_scope")
    scope = await scope_of(conn, who, role, scope_id)
    if scope.place.community_id != community_id:
        raise RuleViolation("invalid_role_scope")
    return await _issue(conn, who, actor, scope)


async def invite_to_scope(conn: asyncpg.Connection, who: Principal, role: str,
                          scope_id: str) -> tuple[RoleInvite, str]:
    """A role invite on a scope named by the path (an organisation's member invite): the
    redeemer may be anyone, from anywhere; the role is the street's row."""
    actor = await actor_for(conn, who)
    return await _issue(conn, who, actor, await scope_of(conn, who, role, scope_id))


async def _issue(conn: asyncpg.Connection, who: Principal, actor: Actor, scope: Scope) -> tuple[RoleInvite, str]:
    ensure_for(actor, may_administer(actor, scope))
    return await invites.issue(
        conn, RoleInvite, street_id=who.street_id, issued_by=who.person_id or who.client_id,
        terms={"role": scope.role, "scope_type": scope.type, "scope_id": scope.id,
               "community_id": scope.place.community_id, "building_id": scope.place.building_id})


async def redeem(conn: asyncpg.Connection, who: Principal, invite_code: str) -> RoleGrant:
    person = await members.live_person(conn, who)

    async def take_up(invite: RoleInvite) -> RoleGrant:
        place = Place(who.street_id, invite.community_id, invite.building_id)
        return await _grant(conn, Scope(invite.role, invite.scope_type, invite.scope_id, place), person.id,
                            f"invite:{invite.id}")

    return await invites.redeem(conn, RoleInvite, street_id=who.street_id, person_id=person.id,
                                typed_code=invite_code, apply=take_up)


async def held_by(conn: asyncpg.Connection, person_id: str, street_id: str) -> list[RoleGrant]:
    """The roles a person holds in a street, oldest first."""
    return [grant for grant in await roles.live_of_person(conn, person_id) if grant.street_id == street_id]


async def revoke_all_of(conn: asyncpg.Connection, person_id: str, reason: str) -> None:
    """Revoke every role a person holds, in every street, each with its event."""
    for revoked in await roles.revoke_all(conn, person_id):
        await append_event(conn, type="role.revoked", street_id=revoked.street_id,
                           subject=Subject("role", revoked.id), community_id=revoked.community_id,
                           building_id=revoked.building_id, data={"role": revoked.role, "reason": reason})


# Members of organisations: a role on an organisation's scope

async def add_organization_member(conn: asyncpg.Connection, who: Principal, organization_id: str,
                                  person_id: str, named_role: str | None = None) -> RoleGrant:
    """A direct grant, for a person the street already knows; anyone else joins by invite."""
    await organizations.get(conn, who, organization_id)  # 404 unless the caller may see it
    return await grant(conn, who, "organization_member", organization_id, person_id, named_role)


async def invite_organization_member(conn: asyncpg.Connection, who: Principal,
                                     organization_id: str) -> tuple[RoleInvite, str]:
    """A one-time organisation-member invite: a property company's or partner unit's worker
    usually lives outside the street, so the street does not know them yet; they redeem it with
    ``POST /v1/me/roles`` (the same as role invites)."""
    await organizations.get(conn, who, organization_id)
    return await invite_to_scope(conn, who, "organization_member", organization_id)
