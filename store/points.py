"""The public-welfare points ledger (公益积分); a balance is the sum of its entries."""

from __future__ import annotations

import asyncpg


async def balance(conn: asyncpg.Connection, person_id: str, street_id: str) -> int:
    return await conn.fetchval(
        "SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE person_id = $1 AND street_id = $2",
        person_id, street_id)
