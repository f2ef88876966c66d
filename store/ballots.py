"""The vote: the electorate frozen at opening, ballots (one per household, history kept) and
secret choices, which name no household.

For a secret vote the ``ballots`` row keeps only who voted, when, and the receipt of the
current choice (to replace that choice when the ballot changes); the choice itself and the
area the rules weigh it by live in ``secret_choices`` under the receipt alone. No query here
ever joins the two for a reader."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg

from domain.ids import new_id
from store.paging import Keyset, keyset_sql


async def freeze_electorate(conn: asyncpg.Connection, proposal: asyncpg.Record) -> int:
    """Freeze the voting households and, with them, each one's members as they are now (who
    may cast its ballot is decided against this, not against who joins later)."""
    status = await conn.execute(
        """INSERT INTO vote_electorate (street_id, proposal_id, household_id, area_m2)
           SELECT street_id, $2, id, area_m2 FROM households WHERE building_id = $1 AND votes""",
        proposal["building_id"], proposal["id"])
    await conn.execute(
        """INSERT INTO vote_voters (street_id, proposal_id, household_id, person_id, role, head)
           SELECT m.street_id, e.proposal_id, m.household_id, m.person_id, m.role, m.head
             FROM vote_electorate e JOIN memberships m ON m.household_id = e.household_id AND m.left_at IS NULL
            WHERE e.proposal_id = $1""", proposal["id"])
    return int(status.split()[-1])


async def voter_at_opening(conn: asyncpg.Connection, proposal_id: str, household_id: str,
                           person_id: str) -> asyncpg.Record | None:
    """The person's membership of the household as frozen when the vote opened, if any."""
    return await conn.fetchrow(
        "SELECT role, head FROM vote_voters WHERE proposal_id = $1 AND household_id = $2 AND person_id = $3",
        proposal_id, household_id, person_id)


async def eligible(conn: asyncpg.Connection, proposal_id: str, household_ids: list[str]) -> dict[str, Decimal]:
    rows = await conn.fetch(
        "SELECT household_id, area_m2 FROM vote_electorate WHERE proposal_id = $1 AND household_id = ANY($2)",
        proposal_id, household_ids)
    return {r["household_id"]: r["area_m2"] for r in rows}


async def electorate(conn: asyncpg.Connection, proposal_id: str) -> dict[str, Decimal]:
    rows = await conn.fetch("SELECT household_id, area_m2 FROM vote_electorate WHERE proposal_id = $1",
                            proposal_id)
    return {r["household_id"]: r["area_m2"] for r in rows}


async def lock_household_ballot(conn: asyncpg.Connection, proposal_id: str, household_id: str) -> None:
    """Serialise the ballots of one household (two at once: the second replaces the first)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                       f"ballot:{proposal_id}:{household_id}")


async def current(conn: asyncpg.Connection, proposal_id: str, household_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM ballots WHERE proposal_id = $1 AND household_id = $2",
                               proposal_id, household_id)


async def cast(conn: asyncpg.Connection, proposal: asyncpg.Record, *, household_id: str, person_id: str,
               choice: str | None, option_ids: list[str] | None, receipt: str, area: Decimal,
               previous: asyncpg.Record | None) -> asyncpg.Record:
    """Insert or replace the household's ballot (the caller holds its lock), keep the history,
    and for a secret vote move the anonymous choice to the new receipt."""
    secret = bool(proposal["secret"])
    stored_choice, stored_ids = (None, None) if secret else (choice, option_ids)
    if previous is None:
        row = await conn.fetchrow(
            """INSERT INTO ballots (id, street_id, proposal_id, household_id, cast_by, choice, option_ids, receipt)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *""",
            new_id("ballot"), proposal["street_id"], proposal["id"], household_id, person_id, stored_choice,
            stored_ids, receipt)
    else:
        row = await conn.fetchrow(
            """UPDATE ballots SET cast_by = $2, choice = $3, option_ids = $4, receipt = $5, version = version + 1,
                      updated_at = clock_timestamp() WHERE id = $1 RETURNING *""",
            previous["id"], person_id, stored_choice, stored_ids, receipt)
    await conn.execute(
        """INSERT INTO ballot_history (street_id, proposal_id, household_id, cast_by, choice, option_ids,
                                       receipt, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        proposal["street_id"], proposal["id"], household_id, person_id, stored_choice, stored_ids, receipt,
        row["version"])
    if secret:
        if previous is not None:
            await conn.execute("DELETE FROM secret_choices WHERE proposal_id = $1 AND receipt = $2",
                               proposal["id"], previous["receipt"])
        await conn.execute(
            """INSERT INTO secret_choices (street_id, proposal_id, receipt, choice, option_ids, area_m2)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            proposal["street_id"], proposal["id"], receipt, choice, option_ids, area)
    return row


async def turnout(conn: asyncpg.Connection, proposal_id: str) -> int:
    return await conn.fetchval("SELECT count(*) FROM ballots WHERE proposal_id = $1", proposal_id)


async def counted(conn: asyncpg.Connection, proposal: asyncpg.Record) -> list[asyncpg.Record]:
    """Every current ballot as (receipt, choice, option_ids, area_m2), in receipt order (which
    says nothing about who or when). Only households of the frozen electorate count."""
    if proposal["secret"]:
        return await conn.fetch(
            """SELECT receipt, choice, option_ids, area_m2 FROM secret_choices
               WHERE proposal_id = $1 ORDER BY receipt""", proposal["id"])
    return await conn.fetch(
        """SELECT b.receipt, b.choice, b.option_ids, e.area_m2 FROM ballots b
           JOIN vote_electorate e ON e.proposal_id = b.proposal_id AND e.household_id = b.household_id
           WHERE b.proposal_id = $1 ORDER BY b.receipt""", proposal["id"])


async def history_page(conn: asyncpg.Connection, proposal_id: str, household_id: str,
                       keyset: Keyset) -> list[asyncpg.Record]:
    """The household's ballot as cast, version by version, with who cast it (no receipt: it
    would tie a published choice to the household)."""
    params: list[Any] = [proposal_id, household_id]
    condition, order = keyset_sql(keyset, "h", params)
    return await conn.fetch(
        f"""SELECT h.* FROM (
                SELECT b.id::text AS id, b.proposal_id, b.household_id, b.version, b.cast_by, b.choice,
                       b.option_ids, b.cast_at, b.cast_at AS created_at, b.cast_at AS updated_at,
                       p.real_name, p.nickname
                  FROM ballot_history b JOIN persons p ON p.id = b.cast_by
                 WHERE b.proposal_id = $1 AND b.household_id = $2) h
            WHERE {condition} {order}""", *params)
