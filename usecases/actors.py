"""Turn an authenticated principal into an actor with its grants in the token's street."""

from __future__ import annotations

import asyncpg

from domain.permissions import Actor, Grants, Principal, Tie
from store.actors import grants_rows


async def actor_for(conn: asyncpg.Connection, principal: Principal) -> Actor:
    if principal.kind != "person" or principal.person_id is None:
        return Actor(principal)
    officer, communities, buildings, organizations, households = False, set(), {}, set(), {}
    for row in await grants_rows(conn, principal.person_id, principal.street_id):
        if row["kind"] == "member":
            households[row["household_id"]] = Tie(row["household_id"], row["building_id"],
                                                  row["community_id"], row["role"], row["head"])
        elif row["role"] == "street_officer":
            officer = True
        elif row["role"] == "community_staff":
            communities.add(row["scope_id"])
        elif row["role"] == "building_leader":
            buildings[row["scope_id"]] = row["community_id"]
        elif row["role"] == "organization_member":
            organizations.add(row["scope_id"])
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
