"""The test clock's offset: one row, shared by the API and every worker process."""

from __future__ import annotations

import asyncpg


async def offset_seconds(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT offset_seconds FROM test_clock") or 0


async def advance(conn: asyncpg.Connection, seconds: int) -> int:
    """Add ``seconds`` in one statement (two advances at once both count); the new offset."""
    return await conn.fetchval(
        "UPDATE test_clock SET offset_seconds = offset_seconds + $1, updated_at = clock_timestamp() "
        "RETURNING offset_seconds", seconds)
