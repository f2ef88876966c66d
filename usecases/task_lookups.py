"""What tasks and reports need to know of other features — where a building lives, whether a
community, organisation or person exists, a proposal's building — asked in one place.

These read the other features' stores directly because their use cases do not yet answer
these questions for a caller who may not see the thing (an organisation member working a
task in a building they cannot see still needs the building's place): when places,
organisations, people and proposals offer such use-case functions, these become calls to
them and this module goes away."""

from __future__ import annotations

import asyncpg

from domain.errors import NotFound
from domain.permissions import Place
from store import buildings, communities, organizations, persons
from usecases import proposals


async def building_place(conn: asyncpg.Connection, street_id: str, building_id: str) -> Place:
    """The place of a building of the street; 404 ``not_found`` when there is none."""
    building = await buildings.get(conn, street_id, building_id)
    if building is None:
        raise NotFound("not_found")
    return Place(street_id, community_id=building["community_id"], building_id=building["id"])


async def community_exists(conn: asyncpg.Connection, street_id: str, community_id: str) -> bool:
    return await communities.get(conn, street_id, community_id) is not None


async def organization_exists(conn: asyncpg.Connection, street_id: str, organization_id: str) -> bool:
    return await organizations.get(conn, street_id, organization_id) is not None


async def person_exists(conn: asyncpg.Connection, person_id: str) -> bool:
    return await persons.get(conn, person_id) is not None


async def proposal_building(conn: asyncpg.Connection, street_id: str, proposal_id: str) -> str | None:
    """The building a proposal of the street belongs to (None when there is no such proposal)."""
    return await proposals.building_of(conn, street_id, proposal_id)
