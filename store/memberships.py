"""Memberships of households."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.ids import new_id
from domain.people import Member, Membership
from domain.places import Household
from store.paging import Keyset, keyset_sql
from store.rows import model, models

_COLUMNS = """m.id, m.street_id, m.community_id, m.building_id, m.household_id, m.person_id, m.role,
    m.head, m.joined_at, m.left_at, m.created_at, m.updated_at, h.unit_label"""


async def live_of_person(conn: asyncpg.Connection, person_id: str) -> list[Membership]:
    return models(Membership, await conn.fetch(
        f"""SELECT {_COLUMNS} FROM memberships m JOIN households h ON h.id = m.household_id
            WHERE m.person_id = $1 AND m.left_at IS NULL ORDER BY m.joined_at""", person_id))


async def get_live(conn: asyncpg.Connection, membership_id: str, person_id: str) -> Membership | None:
    return model(Membership, await conn.fetchrow(
        f"""SELECT {_COLUMNS} FROM memberships m JOIN households h ON h.id = m.household_id
            WHERE m.id = $1 AND m.person_id = $2 AND m.left_at IS NULL FOR UPDATE OF m""",
        membership_id, person_id))


async def insert(conn: asyncpg.Connection, *, household: Household, person_id: str, role: str,
                 head: bool) -> Membership | None:
    """The new membership, or None when the person is already a member."""
    if head:  # a head invite hands the household's headship over
        await conn.execute(
            "UPDATE memberships SET head = false, updated_at = clock_timestamp() "
            "WHERE household_id = $1 AND head AND left_at IS NULL", household.id)
    membership_id = new_id("membership")
    inserted = await conn.fetchval(
        """INSERT INTO memberships (id, street_id, community_id, building_id, household_id, person_id,
                                    role, head)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (household_id, person_id) WHERE left_at IS NULL DO NOTHING RETURNING id""",
        membership_id, household.street_id, household.community_id, household.building_id,
        household.id, person_id, role, head)
    if inserted is None:
        return None
    return model(Membership, await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM memberships m JOIN households h ON h.id = m.household_id WHERE m.id = $1",
        membership_id))


async def leave(conn: asyncpg.Connection, membership_id: str) -> None:
    await conn.execute(
        "UPDATE memberships SET left_at = clock_timestamp(), head = false, updated_at = clock_timestamp() "
        "WHERE id = $1", membership_id)


async def leave_all(conn: asyncpg.Connection, person_id: str) -> list[Membership]:
    return models(Membership, await conn.fetch(
        f"""UPDATE memberships m SET left_at = clock_timestamp(), head = false, updated_at = clock_timestamp()
              FROM households h
             WHERE h.id = m.household_id AND m.person_id = $1 AND m.left_at IS NULL
            RETURNING {_COLUMNS}""", person_id))


async def page_of_building(conn: asyncpg.Connection, street_id: str, building_id: str,
                           keyset: Keyset) -> list[Member]:
    return await _page(conn, street_id, "m.building_id", building_id, keyset,
                       joined_at="NULL::timestamptz AS joined_at")


async def page_of_household(conn: asyncpg.Connection, street_id: str, household_id: str,
                            keyset: Keyset) -> list[Member]:
    """The household's live members, with when each joined (its head sees newcomers)."""
    return await _page(conn, street_id, "m.household_id", household_id, keyset, joined_at="m.joined_at")


async def _page(conn: asyncpg.Connection, street_id: str, column: str, value: str, keyset: Keyset, *,
                joined_at: str) -> list[Member]:
    params: list[Any] = [street_id, value]
    condition, order = keyset_sql(keyset, "m", params)
    return models(Member, await conn.fetch(
        f"""SELECT m.id, m.person_id, m.role, m.head, m.created_at, m.updated_at, h.unit_label,
                   p.nickname, p.real_name, p.phone, {joined_at}
              FROM memberships m
              JOIN households h ON h.id = m.household_id
              JOIN persons p ON p.id = m.person_id
             WHERE m.street_id = $1 AND {column} = $2 AND m.left_at IS NULL AND {condition} {order}""",
        *params))
