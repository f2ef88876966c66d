"""Organisations: property companies (物业), owners' committees (业委会), volunteer teams and
partner units (共建单位), at street level or within a community, and their members."""

from __future__ import annotations

import asyncpg
import msgspec

from domain.errors import NotFound
from domain.people import Organization, RoleGrant, RoleInvite
from domain.permissions import Place, Principal, ensure_for
from store import organizations
from store.events import Subject, append_event
from store.paging import Keyset
from store.rows import snapshot
from usecases import places, roles
from usecases.actors import actor_for


class OrganizationCreate(msgspec.Struct):
    name: str
    kind: str
    community_id: str | None = None
    external_id: str | None = None


async def create(conn: asyncpg.Connection, who: Principal, command: OrganizationCreate) -> Organization:
    actor = await actor_for(conn, who)
    community_id = command.community_id
    if community_id is not None:
        await places.visible_community(conn, actor, community_id)
        ensure_for(actor, actor.staff_of(Place(who.street_id, community_id)))
    else:
        ensure_for(actor, actor.street_wide(write=True))
    organization = await organizations.insert(conn, street_id=who.street_id, community_id=community_id,
                                              name=command.name, kind=command.kind,
                                              external_id=command.external_id)
    await append_event(conn, type="organization.created", street_id=who.street_id,
                       subject=Subject("organization", organization.id), community_id=community_id,
                       data={"organization": snapshot(organization)})
    return organization


async def find(conn: asyncpg.Connection, street_id: str, organization_id: str) -> Organization | None:
    """The street's organisation, seen or not: for a caller that applies a rule of its own."""
    return await organizations.get(conn, street_id, organization_id)


async def get(conn: asyncpg.Connection, who: Principal, organization_id: str) -> Organization:
    actor = await actor_for(conn, who)
    row = await organizations.get(conn, who.street_id, organization_id)
    if row is None or not (actor.street_wide(write=False) or organization_id in actor.grants.organizations
                           or actor.staff_of(Place(who.street_id, row.community_id), write=False)):
        raise NotFound("not_found")
    return row


async def page(conn: asyncpg.Connection, who: Principal, keyset: Keyset, kind: str | None) -> list[Organization]:
    """Street-wide readers see every organisation; community staff those of their communities."""
    actor = await actor_for(conn, who)
    if actor.street_wide(write=False):
        return await organizations.page(conn, who.street_id, keyset, kind=kind)
    ensure_for(actor, bool(actor.grants.communities), "street:read")
    return await organizations.page(conn, who.street_id, keyset, kind=kind,
                                    community_ids=sorted(actor.grants.communities))


async def add_member(conn: asyncpg.Connection, who: Principal, organization_id: str,
                     person_id: str, named_role: str | None = None) -> RoleGrant:
    """A direct grant, for a person the street already knows; anyone else joins by invite."""
    await get(conn, who, organization_id)  # 404 unless the caller may see it
    return await roles.grant(conn, who, "organization_member", organization_id, person_id, named_role)


async def invite_member(conn: asyncpg.Connection, who: Principal,
                        organization_id: str) -> tuple[RoleInvite, str]:
    """A one-time organisation-member invite: a property company's or partner unit's worker
    usually lives outside the street, so the street does not know them yet; they redeem it with
    ``POST /v1/me/roles`` (the same as role invites)."""
    await get(conn, who, organization_id)
    return await roles.invite_to_scope(conn, who, "organization_member", organization_id)


async def find_organization(conn: asyncpg.Connection, street_id: str, organization_id: str) -> Organization | None:
    """The street's organisation, seen or not: for a feature applying a rule of its own."""
    return await organizations.get(conn, street_id, organization_id)
