"""The sweep of orphaned uploads: photos never attached to anything are removed, from the
storage and the table, a day after their upload (business time, so the test clock drives it).
The worker runs it periodically (worker/maintenance.py)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.media import ORPHAN_AFTER
from integrations.storage import Storage
from store import media as store

BATCH = 200


async def sweep_orphans(conn: asyncpg.Connection, storage: Storage, now: datetime, *, batch: int = BATCH) -> int:
    """Remove one batch of orphans; how many were removed. The rows stay locked while their
    objects are deleted, so a photo being attached is skipped, never removed under it; a
    failed delete rolls the batch back to be tried again (deleting an object twice is fine)."""
    async with conn.transaction():
        orphans = await store.claim_orphans(conn, now - ORPHAN_AFTER, batch)
        for orphan in orphans:
            await storage.delete(orphan.storage_key)
        await store.delete(conn, [orphan.id for orphan in orphans])
    return len(orphans)
