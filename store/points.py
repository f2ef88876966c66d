"""The public-welfare points ledger (公益积分); a balance is the sum of its entries."""

from __future__ import annotations

import asyncpg

from domain.ids import new_id


async def balance(conn: asyncpg.Connection, person_id: str, street_id: str) -> int:
    return await conn.fetchval(
        "SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE person_id = $1 AND street_id = $2",
        person_id, street_id)


async def credit(conn: asyncpg.Connection, *, street_id: str, person_id: str, delta: int, reason: str,
                 source_type: str, source_id: str) -> None:
    await conn.execute(
        """INSERT INTO points_ledger (id, street_id, person_id, delta, reason, source_type, source_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        new_id("points"), street_id, person_id, delta, reason, source_type, source_id)
