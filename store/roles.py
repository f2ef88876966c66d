"""Roles on scopes."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.ids import new_id
from domain.roles import RoleGrant
from store.paging import Keyset, keyset_sql
from store.rows import model, models

_COLUMNS = """r.id, r.street_id, r.person_id, r.role, r.scope_type, r.scope_id, r.community_id,
    r.building_id, r.created_at, r.updated_at"""


async def insert(conn: asyncpg.Connection, *, street_id: str, person_id: str, role: str, scope_type: str,
                 scope_id: str, community_id: str | None, building_id: str | None,
                 granted_by: str) -> RoleGrant | None:
    """The new role, or None when the person already holds it on that scope."""
    return model(RoleGrant, await conn.fetchrow(
        f"""INSERT INTO roles AS r (id, street_id, person_id, role, scope_type, scope_id, community_id,
                                    building_id, granted_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (person_id, role, scope_id) WHERE revoked_at IS NULL DO NOTHING
            RETURNING {_COLUMNS}""",
        new_id("role"), street_id, person_id, role, scope_type, scope_id, community_id, building_id,
        granted_by))


async def get_live(conn: asyncpg.Connection, street_id: str, role_id: str) -> RoleGrant | None:
    return model(RoleGrant, await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM roles r WHERE r.id = $1 AND r.street_id = $2 AND r.revoked_at IS NULL "
        "FOR UPDATE", role_id, street_id))


async def revoke(conn: asyncpg.Connection, role_id: str) -> None:
    await conn.execute("UPDATE roles SET revoked_at = clock_timestamp(), updated_at = clock_timestamp() "
                       "WHERE id = $1", role_id)


async def revoke_all(conn: asyncpg.Connection, person_id: str) -> list[RoleGrant]:
    return models(RoleGrant, await conn.fetch(
        f"""UPDATE roles r SET revoked_at = clock_timestamp(), updated_at = clock_timestamp()
            WHERE r.person_id = $1 AND r.revoked_at IS NULL RETURNING {_COLUMNS}""", person_id))


async def live_of_person(conn: asyncpg.Connection, person_id: str) -> list[RoleGrant]:
    return models(RoleGrant, await conn.fetch(
        f"SELECT {_COLUMNS} FROM roles r WHERE r.person_id = $1 AND r.revoked_at IS NULL ORDER BY r.created_at",
        person_id))


async def page_on_scope(conn: asyncpg.Connection, street_id: str, scope_id: str,
                        keyset: Keyset) -> list[RoleGrant]:
    params: list[Any] = [street_id, scope_id]
    condition, order = keyset_sql(keyset, "r", params)
    return models(RoleGrant, await conn.fetch(
        f"""SELECT {_COLUMNS} FROM roles r
            WHERE r.street_id = $1 AND r.scope_id = $2 AND r.revoked_at IS NULL AND {condition} {order}""",
        *params))


async def person_known_in_street(conn: asyncpg.Connection, person_id: str, street_id: str) -> bool:
    """A person the street knows: a live member of one of its households or holder of a role."""
    return bool(await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM memberships WHERE person_id = $1 AND street_id = $2 AND left_at IS NULL)
               OR EXISTS (SELECT 1 FROM roles WHERE person_id = $1 AND street_id = $2 AND revoked_at IS NULL)""",
        person_id, street_id))
