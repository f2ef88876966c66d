"""The test clock's offset: one row, shared by the API and every worker process."""

from __future__ import annotations

import asyncpg


async def offset_seconds(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT offset_seconds FROM test_clock") or 0


async def advance(conn: asyncpg.Connection, seconds: int, limit: int) -> int | None:
    """Add ``seconds`` in one statement (two advances at once both count); the new offset, or
    None when it would pass ``limit``."""
    return await conn.fetchval(
        "UPDATE test_clock SET offset_seconds = offset_seconds + $1, updated_at = clock_timestamp() "
        "WHERE offset_seconds + $1 <= $2 RETURNING offset_seconds", seconds, limit)
