"""The parts of a proposal: options, threaded comments (with moderation) and evaluations."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.ids import new_id
from store.paging import Keyset, keyset_sql


async def add_option(conn: asyncpg.Connection, proposal: asyncpg.Record, title: str,
                     description: str, created_by: str | None) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO proposal_options (id, street_id, proposal_id, title, description, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
        new_id("option"), proposal["street_id"], proposal["id"], title, description, created_by)


async def option_ids(conn: asyncpg.Connection, proposal_id: str) -> list[str]:
    rows = await conn.fetch("SELECT id FROM proposal_options WHERE proposal_id = $1 ORDER BY created_at, id",
                            proposal_id)
    return [r["id"] for r in rows]


async def options(conn: asyncpg.Connection, proposal_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM proposal_options WHERE proposal_id = $1 ORDER BY created_at, id",
                            proposal_id)


async def options_page(conn: asyncpg.Connection, proposal_id: str, keyset: Keyset) -> list[asyncpg.Record]:
    params: list[Any] = [proposal_id]
    condition, order = keyset_sql(keyset, "o", params)
    return await conn.fetch(f"SELECT o.* FROM proposal_options o WHERE o.proposal_id = $1 AND {condition} {order}",
                            *params)


async def add_comment(conn: asyncpg.Connection, proposal: asyncpg.Record, *, author_id: str,
                      parent_id: str | None, body: str) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO proposal_comments (id, street_id, proposal_id, parent_id, author_id, body)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
        new_id("comment"), proposal["street_id"], proposal["id"], parent_id, author_id, body)


async def get_comment(conn: asyncpg.Connection, street_id: str, comment_id: str, *,
                      for_update: bool = False) -> asyncpg.Record | None:
    lock = " FOR UPDATE" if for_update else ""
    return await conn.fetchrow(f"SELECT * FROM proposal_comments WHERE id = $1 AND street_id = $2{lock}",
                               comment_id, street_id)


async def comments_page(conn: asyncpg.Connection, proposal_id: str, keyset: Keyset,
                        parent_id: str | None) -> list[asyncpg.Record]:
    params: list[Any] = [proposal_id]
    filters = ["c.proposal_id = $1"]
    if parent_id is not None:
        params.append(parent_id)
        filters.append(f"c.parent_id = ${len(params)}")
    condition, order = keyset_sql(keyset, "c", params)
    return await conn.fetch(
        f"SELECT c.* FROM proposal_comments c WHERE {' AND '.join(filters)} AND {condition} {order}", *params)


async def hide_comment(conn: asyncpg.Connection, comment_id: str, reason: str, by: str) -> asyncpg.Record:
    return await conn.fetchrow(
        """UPDATE proposal_comments SET hidden_at = clock_timestamp(), hidden_reason = $2, hidden_by = $3,
                  updated_at = clock_timestamp() WHERE id = $1 RETURNING *""", comment_id, reason, by)


async def add_evaluation(conn: asyncpg.Connection, proposal: asyncpg.Record, *, household_id: str,
                         person_id: str, stars: int, text: str) -> asyncpg.Record | None:
    """The proposal with its evaluation mean updated, or None when the household already rated."""
    added = await conn.fetchval(
        """INSERT INTO proposal_evaluations (street_id, proposal_id, household_id, person_id, stars, text)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1""",
        proposal["street_id"], proposal["id"], household_id, person_id, stars, text)
    if added is None:
        return None
    return await conn.fetchrow(
        """UPDATE proposals SET evaluation_count = evaluation_count + 1, evaluation_sum = evaluation_sum + $2,
                  updated_at = clock_timestamp() WHERE id = $1 RETURNING *""", proposal["id"], stars)
