"""Uploaded photos (the table `media`)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.media import Media
from store.rows import model, models, one


async def insert(conn: asyncpg.Connection, *, media_id: str, street_id: str, owner_id: str, storage_key: str,
                 content_type: str, size: int, width: int, height: int, sha256: str) -> Media:
    return one(Media, await conn.fetchrow(
        """INSERT INTO media (id, street_id, owner_id, storage_key, content_type, bytes, width, height, sha256)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *""",
        media_id, street_id, owner_id, storage_key, content_type, size, width, height, sha256))


async def get(conn: asyncpg.Connection, media_id: str) -> Media | None:
    return model(Media, await conn.fetchrow("SELECT * FROM media WHERE id = $1", media_id))


async def lock_many(conn: asyncpg.Connection, media_ids: list[str]) -> list[Media]:
    """The named photos, locked until the transaction ends (so the sweep cannot remove one
    being attached)."""
    return models(Media, await conn.fetch("SELECT * FROM media WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE",
                                          media_ids))


async def mark_attached(conn: asyncpg.Connection, media_ids: list[str]) -> None:
    await conn.execute(
        "UPDATE media SET attached_at = coalesce(attached_at, clock_timestamp()) WHERE id = ANY($1::text[])",
        media_ids)


async def claim_orphans(conn: asyncpg.Connection, uploaded_before: datetime, limit: int) -> list[Media]:
    """Unattached photos uploaded before the cutoff, locked; those another sweep (or an
    attaching request) holds are skipped."""
    return models(Media, await conn.fetch(
        """SELECT * FROM media WHERE attached_at IS NULL AND created_at < $1
           ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED""", uploaded_before, limit))


async def delete(conn: asyncpg.Connection, media_ids: list[str]) -> None:
    await conn.execute("DELETE FROM media WHERE id = ANY($1::text[]) AND attached_at IS NULL", media_ids)
