"""Votes: their terms, the electorate frozen at opening (households and their voters),
ballots (one per household, history kept) and secret choices, which name no household.

For a secret vote the ``ballots`` row keeps only who voted, when, and the receipt of the
current choice (to replace that choice when the ballot changes); the choice itself and the
area the rules weigh it by live in ``secret_choices`` under the receipt alone. No query here
ever joins the two for a reader."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

from domain.ids import new_id
from domain.votes import Ballot, BallotVersion, Counted, Subject, Vote, Voter
from store.paging import Keyset, keyset_sql
from store.rows import model, models


async def insert(conn: asyncpg.Connection, *, street_id: str, community_id: str | None, building_id: str | None,
                 subject: Subject, rule: str, secret: bool, max_choices: int, opens_at: datetime,
                 closes_at: datetime) -> Vote:
    return model(Vote, await conn.fetchrow(
        """INSERT INTO votes (id, street_id, community_id, building_id, subject_type, subject_id, rule, secret,
                              max_choices, opens_at, closes_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *""",
        new_id("vote"), street_id, community_id, building_id, subject.type, subject.id, rule, secret,
        max_choices, opens_at, closes_at))


async def of_subject(conn: asyncpg.Connection, street_id: str, subject: Subject, *,
                     lock: str | None = None) -> Vote | None:
    """``lock``: None, "share" (ballots: many at once, but not beside the tally) or "update"."""
    suffix = {None: "", "share": " FOR SHARE", "update": " FOR UPDATE"}[lock]
    return model(Vote, await conn.fetchrow(
        f"SELECT * FROM votes WHERE street_id = $1 AND subject_type = $2 AND subject_id = $3{suffix}",
        street_id, subject.type, subject.id))


async def of_subjects(conn: asyncpg.Connection, street_id: str, subject_type: str,
                      subject_ids: list[str]) -> dict[str, Vote]:
    rows = await conn.fetch("SELECT * FROM votes WHERE street_id = $1 AND subject_type = $2 AND subject_id = ANY($3)",
                            street_id, subject_type, subject_ids)
    return {vote.subject_id: vote for vote in models(Vote, rows)}


async def record_tally(conn: asyncpg.Connection, vote_id: str, result: dict[str, Any], at: datetime) -> Vote:
    return model(Vote, await conn.fetchrow(
        """UPDATE votes SET result = $2, tallied_at = $3, updated_at = clock_timestamp()
           WHERE id = $1 RETURNING *""", vote_id, result, at))


async def freeze_electorate(conn: asyncpg.Connection, vote: Vote) -> int:
    """Freeze the voting households of the vote's building and, with them, each one's members
    as they are now (who may cast its ballot is decided against this, not against who joins
    later)."""
    status = await conn.execute(
        """INSERT INTO vote_electorate (street_id, vote_id, household_id, area_m2)
           SELECT street_id, $2, id, area_m2 FROM households WHERE building_id = $1 AND votes""",
        vote.building_id, vote.id)
    await conn.execute(
        """INSERT INTO vote_voters (street_id, vote_id, household_id, person_id, role, head)
           SELECT m.street_id, e.vote_id, m.household_id, m.person_id, m.role, m.head
             FROM vote_electorate e JOIN memberships m ON m.household_id = e.household_id AND m.left_at IS NULL
            WHERE e.vote_id = $1""", vote.id)
    return int(status.split()[-1])


async def eligibility(conn: asyncpg.Connection, vote_id: str, household_id: str,
                      person_id: str) -> tuple[Decimal | None, Voter | None]:
    """In one round trip: the household's weight frozen at opening (None when it is not in the
    electorate) and the person's membership of it then."""
    row = await conn.fetchrow(
        """SELECT e.area_m2, v.role, v.head FROM vote_electorate e
             LEFT JOIN vote_voters v ON v.vote_id = e.vote_id AND v.household_id = e.household_id
                                    AND v.person_id = $3
            WHERE e.vote_id = $1 AND e.household_id = $2""", vote_id, household_id, person_id)
    if row is None:
        return None, None
    return row["area_m2"], None if row["role"] is None else Voter(role=row["role"], head=row["head"])


async def electorate(conn: asyncpg.Connection, vote_id: str) -> dict[str, Decimal]:
    rows = await conn.fetch("SELECT household_id, area_m2 FROM vote_electorate WHERE vote_id = $1", vote_id)
    return {r["household_id"]: r["area_m2"] for r in rows}


async def lock_household_ballot(conn: asyncpg.Connection, vote_id: str, household_id: str) -> None:
    """Serialise the ballots of one household (two at once: the second replaces the first)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"ballot:{vote_id}:{household_id}")


async def current(conn: asyncpg.Connection, vote_id: str, household_id: str) -> Ballot | None:
    return model(Ballot, await conn.fetchrow("SELECT * FROM ballots WHERE vote_id = $1 AND household_id = $2",
                                             vote_id, household_id))


async def cast(conn: asyncpg.Connection, vote: Vote, *, household_id: str, person_id: str,
               stored: tuple[str | None, list[str] | None], choice: str | None, option_ids: list[str] | None,
               receipt: str, area: Decimal, previous: Ballot | None) -> Ballot:
    """Insert or replace the household's ballot (the caller holds its lock) holding ``stored``
    (what domain/votes.py lets be kept beside the household), keep the history, and for a
    secret vote move the anonymous choice to the new receipt."""
    stored_choice, stored_ids = stored
    if previous is None:
        row = await conn.fetchrow(
            """INSERT INTO ballots (id, street_id, vote_id, household_id, cast_by, choice, option_ids, receipt)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *""",
            new_id("ballot"), vote.street_id, vote.id, household_id, person_id, stored_choice, stored_ids, receipt)
    else:
        row = await conn.fetchrow(
            """UPDATE ballots SET cast_by = $2, choice = $3, option_ids = $4, receipt = $5, version = version + 1,
                      updated_at = clock_timestamp() WHERE id = $1 RETURNING *""",
            previous.id, person_id, stored_choice, stored_ids, receipt)
    await conn.execute(
        """INSERT INTO ballot_history (street_id, vote_id, household_id, cast_by, choice, option_ids,
                                       receipt, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        vote.street_id, vote.id, household_id, person_id, stored_choice, stored_ids, receipt, row["version"])
    if vote.secret:
        if previous is not None:
            await conn.execute("DELETE FROM secret_choices WHERE vote_id = $1 AND receipt = $2",
                               vote.id, previous.receipt)
        await conn.execute(
            """INSERT INTO secret_choices (street_id, vote_id, receipt, choice, option_ids, area_m2)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            vote.street_id, vote.id, receipt, choice, option_ids, area)
    return model(Ballot, row)


async def cast_open(conn: asyncpg.Connection, vote: Vote, *, household_id: str, person_id: str,
                    choice: str | None, option_ids: list[str] | None, receipt: str) -> Ballot:
    """An open (not secret) vote's ballot in one statement: insert or replace it and keep its
    history. No lock first: the unique key (vote_id, household_id) serialises two ballots of
    one household — the second waits for the first, then replaces it with the next version."""
    return model(Ballot, await conn.fetchrow(
        """WITH cast_now AS (
               INSERT INTO ballots AS b (id, street_id, vote_id, household_id, cast_by, choice, option_ids, receipt)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (vote_id, household_id) DO UPDATE
                  SET cast_by = excluded.cast_by, choice = excluded.choice, option_ids = excluded.option_ids,
                      receipt = excluded.receipt, version = b.version + 1, updated_at = clock_timestamp()
               RETURNING b.*),
           kept AS (
               INSERT INTO ballot_history (street_id, vote_id, household_id, cast_by, choice, option_ids,
                                           receipt, version)
               SELECT street_id, vote_id, household_id, cast_by, choice, option_ids, receipt, version FROM cast_now)
           SELECT * FROM cast_now""",
        new_id("ballot"), vote.street_id, vote.id, household_id, person_id, choice, option_ids, receipt))


async def turnout(conn: asyncpg.Connection, vote_id: str) -> int:
    return await conn.fetchval("SELECT count(*) FROM ballots WHERE vote_id = $1", vote_id)


async def counted(conn: asyncpg.Connection, vote: Vote) -> list[Counted]:
    """Every current ballot, in receipt order (which says nothing about who or when). Only
    households of the frozen electorate count."""
    if vote.secret:
        return models(Counted, await conn.fetch(
            """SELECT receipt, choice, option_ids, area_m2 FROM secret_choices
               WHERE vote_id = $1 ORDER BY receipt""", vote.id))
    return models(Counted, await conn.fetch(
        """SELECT b.receipt, b.choice, b.option_ids, e.area_m2 FROM ballots b
           JOIN vote_electorate e ON e.vote_id = b.vote_id AND e.household_id = b.household_id
           WHERE b.vote_id = $1 ORDER BY b.receipt""", vote.id))


async def history_page(conn: asyncpg.Connection, vote_id: str, household_id: str,
                       keyset: Keyset) -> list[BallotVersion]:
    """The household's ballot as cast, version by version, with who cast it."""
    params: list[Any] = [vote_id, household_id]
    condition, order = keyset_sql(keyset, "h", params)
    return models(BallotVersion, await conn.fetch(
        f"""SELECT h.* FROM (
                SELECT b.id::text AS id, b.vote_id, b.household_id, b.version, b.cast_by, b.choice,
                       b.option_ids, b.cast_at, b.cast_at AS created_at, b.cast_at AS updated_at,
                       p.real_name, p.nickname
                  FROM ballot_history b JOIN persons p ON p.id = b.cast_by
                 WHERE b.vote_id = $1 AND b.household_id = $2) h
            WHERE {condition} {order}""", *params))
