"""A proposal's threaded comments, with their moderation (hidden by a leader, with a reason)."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.ids import new_id
from domain.proposals import Comment, Proposal
from store.paging import Keyset, keyset_sql
from store.rows import model, models


async def add(conn: asyncpg.Connection, proposal: Proposal, *, author_id: str, parent_id: str | None,
              body: str) -> Comment:
    return model(Comment, await conn.fetchrow(
        """INSERT INTO proposal_comments (id, street_id, proposal_id, parent_id, author_id, body)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
        new_id("comment"), proposal.street_id, proposal.id, parent_id, author_id, body))


async def get(conn: asyncpg.Connection, street_id: str, comment_id: str, *,
              for_update: bool = False) -> Comment | None:
    lock = " FOR UPDATE" if for_update else ""
    return model(Comment, await conn.fetchrow(
        f"SELECT * FROM proposal_comments WHERE id = $1 AND street_id = $2{lock}", comment_id, street_id))


async def page(conn: asyncpg.Connection, proposal_id: str, keyset: Keyset, parent_id: str | None, *,
               held_unless: str | None = None) -> list[Comment]:
    """``held_unless``: comments waiting for moderation (or rejected) only if this person wrote them."""
    params: list[Any] = [proposal_id]
    filters = ["c.proposal_id = $1"]
    if parent_id is not None:
        params.append(parent_id)
        filters.append(f"c.parent_id = ${len(params)}")
    if held_unless is not None:
        params.append(held_unless)
        filters.append(f"(c.moderation NOT IN ('pending', 'rejected') OR c.author_id = ${len(params)})")
    condition, order = keyset_sql(keyset, "c", params)
    return models(Comment, await conn.fetch(
        f"SELECT c.* FROM proposal_comments c WHERE {' AND '.join(filters)} AND {condition} {order}", *params))


async def hide(conn: asyncpg.Connection, comment_id: str, reason: str, by: str) -> Comment:
    return model(Comment, await conn.fetchrow(
        """UPDATE proposal_comments SET hidden_at = clock_timestamp(), hidden_reason = $2, hidden_by = $3,
                  updated_at = clock_timestamp() WHERE id = $1 RETURNING *""", comment_id, reason, by))
