"""Proposals (议题): the proposal, its supports, options, evaluations and timeline of stage
changes (comments: store/proposal_comments.py). Every answer is a model of domain/proposals.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.ids import new_id
from domain.proposals import Option, Proposal, TimelineEntry
from store.paging import Keyset, keyset_sql
from store.rows import model, models, set_clause

UPDATABLE = ("title", "description", "category", "decision", "winning_option_id", "decided_at",
             "evaluation_until", "duplicate_of",
             "budget_fen")
_STAMPS = {"deliberating": "deliberating_at", "voting": "voting_at", "implementing": "implementing_at",
           "evaluating": "evaluating_at", "closed": "closed_at"}


async def insert(conn: asyncpg.Connection, *, street_id: str, community_id: str, building_id: str,
                 author_id: str, title: str, description: str, category: str, support_threshold: int,
                 collect_until: datetime,
                 kind: str = "general", amendment: dict[str, Any] | None = None) -> Proposal:
    return model(Proposal, await conn.fetchrow(
        """INSERT INTO proposals (id, street_id, community_id, building_id, author_id, title, description,
                                  category, support_threshold, collect_until,
                                  kind, amendment)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                   $11, $12) RETURNING *""",
        new_id("proposal"), street_id, community_id, building_id, author_id, title, description, category,
        support_threshold, collect_until,
        kind, amendment))


async def get(conn: asyncpg.Connection, street_id: str, proposal_id: str, *,
              lock: str | None = None) -> Proposal | None:
    """``lock``: None, "share" (ballots: many at once, but not beside the tally) or "update"."""
    suffix = {None: "", "share": " FOR SHARE", "update": " FOR UPDATE"}[lock]
    return model(Proposal, await conn.fetchrow(f"SELECT * FROM proposals WHERE id = $1 AND street_id = $2{suffix}",
                                               proposal_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, building_id: str, keyset: Keyset, *,
               stage: str | None, category: str | None, author_id: str | None,
               held_unless: str | None = None) -> list[Proposal]:
    """``held_unless``: text waiting for moderation (or rejected) only if this person wrote it."""
    params: list[Any] = [street_id, building_id]
    filters = ["p.street_id = $1", "p.building_id = $2"]
    for column, value in (("stage", stage), ("category", category), ("author_id", author_id)):
        if value is not None:
            params.append(value)
            filters.append(f"p.{column} = ${len(params)}")
    if held_unless is not None:
        params.append(held_unless)
        filters.append(f"(p.moderation NOT IN ('pending', 'rejected') OR p.author_id = ${len(params)})")
    condition, order = keyset_sql(keyset, "p", params)
    return models(Proposal, await conn.fetch(
        f"SELECT p.* FROM proposals p WHERE {' AND '.join(filters)} AND {condition} {order}", *params))


async def update(conn: asyncpg.Connection, proposal_id: str, changes: dict[str, Any]) -> Proposal:
    params: list[Any] = [proposal_id]
    assignments = set_clause(changes, UPDATABLE, params)
    return model(Proposal, await conn.fetchrow(f"UPDATE proposals SET {assignments} WHERE id = $1 RETURNING *",
                                               *params))


async def move(conn: asyncpg.Connection, proposal_id: str, *, to: str, outcome: str | None,
               reason: str | None, at: datetime) -> Proposal:
    """Change the stage (the caller holds the row lock and has asked domain/proposals.py),
    stamping the business time of the transition."""
    return model(Proposal, await conn.fetchrow(
        f"""UPDATE proposals SET stage = $2, outcome = $3, reason = coalesce($4, reason),
                   {_STAMPS[to]} = $5, updated_at = clock_timestamp()
            WHERE id = $1 RETURNING *""",
        proposal_id, to, outcome, reason, at))


async def add_timeline(conn: asyncpg.Connection, proposal: Proposal, *, from_stage: str | None,
                       to_stage: str, outcome: str | None, actor_type: str, actor_id: str | None,
                       reason: str | None, at: datetime) -> None:
    await conn.execute(
        """INSERT INTO proposal_timeline (id, street_id, proposal_id, from_stage, to_stage, outcome,
                                          actor_type, actor_id, reason, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        new_id("timeline"), proposal.street_id, proposal.id, from_stage, to_stage, outcome,
        actor_type, actor_id, reason, at)


async def timeline_page(conn: asyncpg.Connection, proposal_id: str, keyset: Keyset) -> list[TimelineEntry]:
    params: list[Any] = [proposal_id]
    condition, order = keyset_sql(keyset, "t", params)
    return models(TimelineEntry, await conn.fetch(
        f"""SELECT t.* FROM proposal_timeline t
            WHERE t.proposal_id = $1 AND {condition} {order}""", *params))


async def voting_households(conn: asyncpg.Connection, building_id: str) -> int:
    return await conn.fetchval("SELECT count(*) FROM households WHERE building_id = $1 AND votes", building_id)


# Supports: one per household (the primary key), counted on the proposal under its row lock.

async def add_support(conn: asyncpg.Connection, proposal: Proposal, household_id: str,
                      person_id: str) -> int | None:
    """The new support count, or None when the household already supports it."""
    added = await conn.fetchval(
        """INSERT INTO proposal_supports (street_id, proposal_id, household_id, person_id)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1""",
        proposal.street_id, proposal.id, household_id, person_id)
    if added is None:
        return None
    return await conn.fetchval(
        """UPDATE proposals SET support_count = support_count + 1, updated_at = clock_timestamp()
           WHERE id = $1 RETURNING support_count""", proposal.id)


async def remove_support(conn: asyncpg.Connection, proposal_id: str, household_id: str) -> bool:
    removed = await conn.fetchval(
        "DELETE FROM proposal_supports WHERE proposal_id = $1 AND household_id = $2 RETURNING 1",
        proposal_id, household_id)
    if removed is None:
        return False
    await conn.execute("""UPDATE proposals SET support_count = support_count - 1, updated_at = clock_timestamp()
                          WHERE id = $1""", proposal_id)
    return True


async def supported_households(conn: asyncpg.Connection, proposal_id: str, household_ids: list[str]) -> list[str]:
    rows = await conn.fetch(
        "SELECT household_id FROM proposal_supports WHERE proposal_id = $1 AND household_id = ANY($2)",
        proposal_id, household_ids)
    return [r["household_id"] for r in rows]


# Options: the choices a vote on the proposal offers, in the order they were added.

async def add_option(conn: asyncpg.Connection, proposal: Proposal, title: str,
                     description: str, created_by: str | None) -> Option:
    return model(Option, await conn.fetchrow(
        """INSERT INTO proposal_options (id, street_id, proposal_id, title, description, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
        new_id("option"), proposal.street_id, proposal.id, title, description, created_by))


async def options(conn: asyncpg.Connection, proposal_id: str) -> list[Option]:
    return models(Option, await conn.fetch(
        "SELECT * FROM proposal_options WHERE proposal_id = $1 ORDER BY created_at, id", proposal_id))


async def options_page(conn: asyncpg.Connection, proposal_id: str, keyset: Keyset) -> list[Option]:
    params: list[Any] = [proposal_id]
    condition, order = keyset_sql(keyset, "o", params)
    return models(Option, await conn.fetch(
        f"SELECT o.* FROM proposal_options o WHERE o.proposal_id = $1 AND {condition} {order}", *params))


# Evaluations: one per household, summed on the proposal under its row lock.

async def add_evaluation(conn: asyncpg.Connection, proposal: Proposal, *, household_id: str,
                         person_id: str, stars: int, text: str) -> Proposal | None:
    """The proposal with its evaluation mean updated, or None when the household already rated."""
    added = await conn.fetchval(
        """INSERT INTO proposal_evaluations (street_id, proposal_id, household_id, person_id, stars, text)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1""",
        proposal.street_id, proposal.id, household_id, person_id, stars, text)
    if added is None:
        return None
    return model(Proposal, await conn.fetchrow(
        """UPDATE proposals SET evaluation_count = evaluation_count + 1, evaluation_sum = evaluation_sum + $2,
                  updated_at = clock_timestamp() WHERE id = $1 RETURNING *""", proposal.id, stars))
