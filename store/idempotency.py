"""Idempotency-Key records: looked up under a transaction-scoped advisory lock, written in
the same transaction as the change they protect."""

from __future__ import annotations

from datetime import timedelta

import asyncpg


async def try_lock(conn: asyncpg.Connection, caller: str, key: str) -> bool:
    """Take the key's lock for the rest of this transaction, or report that a request with
    the same key is still running. The lock is released by commit or rollback."""
    return await conn.fetchval(
        "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7031))", f"{caller}\x1f{key}"
    )


async def find(conn: asyncpg.Connection, caller: str, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT request_digest, status, headers, body_sealed FROM idempotency_keys
           WHERE caller = $1 AND key = $2 AND expires_at > clock_timestamp()""",
        caller, key,
    )


async def save(conn: asyncpg.Connection, *, caller: str, key: str, street_id: str,
               request_digest: bytes, status: int, headers: dict[str, str], body_sealed: bytes,
               ttl: timedelta) -> None:
    # An expired record with the same key is replaced: keys are kept at least ``ttl``.
    await conn.execute(
        """INSERT INTO idempotency_keys (caller, key, street_id, request_digest, status, headers,
                                         body_sealed, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp() + $8)
           ON CONFLICT (caller, key) DO UPDATE
              SET street_id = EXCLUDED.street_id, request_digest = EXCLUDED.request_digest,
                  status = EXCLUDED.status, headers = EXCLUDED.headers,
                  body_sealed = EXCLUDED.body_sealed, created_at = clock_timestamp(),
                  expires_at = EXCLUDED.expires_at""",
        caller, key, street_id, request_digest, status, headers, body_sealed, ttl,
    )


async def delete_expired(conn: asyncpg.Connection, limit: int) -> int:
    """Forget keys past their time (kept at least BILIN_IDEMPOTENCY_TTL_HOURS), a batch at a time."""
    status = await conn.execute(
        """DELETE FROM idempotency_keys WHERE ctid IN (
               SELECT ctid FROM idempotency_keys WHERE expires_at < clock_timestamp() LIMIT $1)""", limit)
    return int(status.split()[-1])
