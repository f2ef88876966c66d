"""The public-welfare points (公益积分) of a person in a street: an append-only ledger whose
balance is the sum of its entries. Other features credit points through here (a verified task
today) and read the balance (``GET /v1/me``)."""

from __future__ import annotations

import asyncpg

from store import points as store


async def balance(conn: asyncpg.Connection, person_id: str, street_id: str) -> int:
    return await store.balance(conn, person_id, street_id)


async def credit(conn: asyncpg.Connection, *, street_id: str, person_id: str, delta: int, reason: str,
                 source_type: str, source_id: str) -> None:
    """Add an entry, in the caller's transaction (the change that earned it)."""
    await store.credit(conn, street_id=street_id, person_id=person_id, delta=delta, reason=reason,
                       source_type=source_type, source_id=source_id)
