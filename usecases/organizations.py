"""Organisations: property companies (物业), owners' committees (业委会), volunteer teams and
partner units (共建单位), at street level or within a community, and their members."""

from __future__ import annotations

import asyncpg
import msgspec

from domain.errors import NotFound
from domain.organizations import Organization
from domain.permissions import Place, Principal, ensure_for
from store import organizations
from store.events import Subject, append_event
from store.paging import Keyset
from store.rows import snapshot
from usecases import places
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
