"""A person's feed: the rows the outbox's trigger wrote for them (domain/my_feed.py), read as
an index range, newest first."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.my_feed import FeedItem
from store.rows import models
from store.paging import Keyset


async def page(conn: asyncpg.Connection, person_id: str, street_id: str, keyset: Keyset,
               kinds: list[str]) -> list[FeedItem]:
    """Newest first on (created_at, event_id): an item written after a client's first page is
    newer than everything on it, so paging on neither skips nor repeats."""
    params: list[Any] = [person_id, street_id]
    filters = ["f.person_id = $1", "f.street_id = $2"]
    if kinds:
        params.append(kinds)
        filters.append(f"f.kind = ANY (${len(params)}::text[])")
    if keyset.after is not None:
        params.extend(keyset.after)
        filters.append(f"(f.created_at, f.event_id) < (${len(params) - 1}, ${len(params)})")
    params.append(keyset.limit + 1)
    return models(FeedItem, await conn.fetch(
        f"""SELECT f.event_id, f.kind, f.type, f.occurred_at, f.community_id, f.building_id, f.subject_type,
                   f.subject_id, f.data, f.created_at
              FROM person_feed f WHERE {' AND '.join(filters)}
             ORDER BY f.created_at DESC, f.event_id DESC LIMIT ${len(params)}""", *params))


async def forget(conn: asyncpg.Connection, person_id: str) -> None:
    """Erasure: the person's feed goes."""
    await conn.execute("DELETE FROM person_feed WHERE person_id = $1", person_id)
