"""The grants a person holds in a street: live roles and household memberships."""

from __future__ import annotations

import asyncpg

from domain.people import Holding
from store.rows import models


async def holdings(conn: asyncpg.Connection, person_id: str, street_id: str) -> list[Holding]:
    return models(Holding, await conn.fetch(
        """
        SELECT 'role' AS kind, r.role, r.scope_type, r.scope_id, r.community_id, r.building_id,
               NULL::text AS household_id, false AS head
          FROM roles r
         WHERE r.person_id = $1 AND r.street_id = $2 AND r.revoked_at IS NULL
        UNION ALL
        SELECT 'member', m.role, NULL, NULL, m.community_id, m.building_id, m.household_id, m.head
          FROM memberships m
         WHERE m.person_id = $1 AND m.street_id = $2 AND m.left_at IS NULL
        """,
        person_id, street_id,
    ))
