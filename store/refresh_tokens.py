"""Refresh tokens: stored as SHA-256 digests, in families that rotate (each works once).

Expiry compares with the database's real clock (``clock_timestamp()``), never with the
test clock: security time does not move."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from domain.people import PresentedRefreshToken
from store.rows import model


async def insert(conn: asyncpg.Connection, *, token_id: str, family_id: str, person_id: str,
                 client_id: str, street_id: str, token_digest: bytes, lifetime: timedelta) -> None:
    await conn.execute(
        """INSERT INTO refresh_tokens (id, family_id, person_id, client_id, street_id, token_digest,
                                       expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp() + $7::interval)""",
        token_id, family_id, person_id, client_id, street_id, token_digest, lifetime)


async def claim(conn: asyncpg.Connection, token_digest: bytes) -> PresentedRefreshToken | None:
    """The token with this digest, locked for the rest of the transaction (a second request
    presenting it waits, then sees it used), with what decides whether it may still be used."""
    return model(PresentedRefreshToken, await conn.fetchrow(
        """SELECT rt.id, rt.family_id, rt.person_id, rt.client_id, rt.street_id,
                  rt.used_at IS NOT NULL AS used, rt.revoked_at IS NOT NULL AS revoked,
                  rt.expires_at <= clock_timestamp() AS expired,
                  c.disabled_at IS NOT NULL OR c.kind <> 'miniprogram' AS client_refused,
                  p.erased_at IS NOT NULL AS person_erased
             FROM refresh_tokens rt
             JOIN clients c ON c.id = rt.client_id
             JOIN persons p ON p.id = rt.person_id
            WHERE rt.token_digest = $1
              FOR UPDATE OF rt""",
        token_digest))


async def mark_used(conn: asyncpg.Connection, token_id: str) -> None:
    await conn.execute("UPDATE refresh_tokens SET used_at = clock_timestamp() WHERE id = $1", token_id)


async def revoke_family(conn: asyncpg.Connection, family_id: str) -> int:
    status = await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = clock_timestamp() WHERE family_id = $1 AND revoked_at IS NULL",
        family_id)
    return int(status.split()[-1])
