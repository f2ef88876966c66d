"""My feed (GET /v1/me/feed): the person's items in the token's street (domain/my_feed.py)."""

from __future__ import annotations

import asyncpg

from domain.errors import Forbidden, InvalidInput
from domain.my_feed import KINDS, FeedItem
from domain.permissions import Principal
from store import my_feed as store
from store.paging import NEWEST_FIRST, Keyset


async def page(conn: asyncpg.Connection, who: Principal, keyset: Keyset, kinds: list[str]) -> list[FeedItem]:
    if who.person_id is None:
        raise Forbidden("person_required")
    if keyset.order != NEWEST_FIRST:
        raise InvalidInput("query.updated_since", "invalid_value")  # a feed does not change: nothing to sync
    for kind in kinds:
        if kind not in KINDS:
            raise InvalidInput("query.kinds", "invalid_value")
    return await store.page(conn, who.person_id, who.street_id, keyset, kinds)


async def forget(conn: asyncpg.Connection, person_id: str) -> None:
    """Erasure (usecases/me.py)."""
    await store.forget(conn, person_id)
