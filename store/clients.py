"""Streets (the tenants) and their API clients."""

from __future__ import annotations

import asyncpg

from domain.ids import new_id


async def ensure_street(conn: asyncpg.Connection, name: str, timezone: str = "Asia/Shanghai") -> str:
    """The id of the street called ``name``, creating it when new (operator command)."""
    return await conn.fetchval(
        """INSERT INTO streets (id, name, timezone) VALUES ($1, $2, $3)
           ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
           RETURNING id""",
        new_id("street"), name, timezone,
    )


async def insert_client(conn: asyncpg.Connection, *, client_id: str, street_id: str, kind: str,
                        name: str, secret_digest: bytes, scopes: list[str]) -> None:
    await conn.execute(
        """INSERT INTO clients (id, street_id, kind, name, secret_digest, scopes)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE
              SET secret_digest = EXCLUDED.secret_digest, scopes = EXCLUDED.scopes,
                  name = EXCLUDED.name, disabled_at = NULL, updated_at = clock_timestamp()""",
        client_id, street_id, kind, name, secret_digest, scopes,
    )


async def get_active_client(conn: asyncpg.Connection, client_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT id, street_id, kind, name, secret_digest, scopes FROM clients
           WHERE id = $1 AND disabled_at IS NULL""",
        client_id,
    )
