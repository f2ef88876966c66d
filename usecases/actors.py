"""Turn an authenticated principal into an actor with its grants in the token's street."""

from __future__ import annotations

import asyncpg

from domain.permissions import Actor, Grants, Principal, Tie
from store.actors import holdings


async def actor_for(conn: asyncpg.Connection, principal: Principal) -> Actor:
    if principal.kind != "person" or principal.person_id is None:
        return Actor(principal)
    officer, communities, buildings, organizations, households = False, set(), {}, set(), {}
    for held in await holdings(conn, principal.person_id, principal.street_id):
        if held.kind == "member":
            households[held.household_id] = Tie(held.household_id, held.building_id, held.community_id,
                                                held.role, held.head)
        elif held.role == "street_officer":
            officer = True
        elif held.role == "community_staff":
            communities.add(held.scope_id)
        elif held.role == "building_leader":
            buildings[held.scope_id] = held.community_id
        elif held.role == "organization_member":
            organizations.add(held.scope_id)
    return Actor(principal, Grants(street_officer=officer, communities=frozenset(communities),
                                   buildings=buildings, organizations=frozenset(organizations),
                                   households=households))


def visible_scope(actor: Actor) -> tuple[list[str], list[str]] | None:
    """(community ids, building ids) an actor sees in full, or None when it sees the whole
    street. Communities seen through a building or household are listed by their buildings."""
    if actor.street_wide(write=False):
        return None
    grants = actor.grants
    buildings = set(grants.buildings) | {tie.building_id for tie in grants.households.values()}
    return sorted(grants.communities), sorted(buildings)
