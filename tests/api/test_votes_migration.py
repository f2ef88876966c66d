"""Votes became their own table (migrations/20261201204417_votes.sql): every vote opened before
is carried over — its terms and result onto a ``votes`` row with the proposal as its subject,
and its electorate, voters, ballots, history and secret choices onto that vote."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from tests.support.migrations import apply, migrated_before

VOTES_MIGRATION = "20261201204417_votes.sql"
OPENS = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)




async def _seed(conn: asyncpg.Connection) -> None:
    """Two proposals as the tables held them before votes had their own: an open secret vote
    with a changed ballot, and a tallied open-choice one; and one still collecting."""
    await conn.execute("INSERT INTO streets (id, name) VALUES ('str_m', '街道')")
    await conn.execute("INSERT INTO communities (id, street_id, name) VALUES ('com_m', 'str_m', '社区')")
    await conn.execute("INSERT INTO buildings (id, street_id, community_id, name, rules) "
                       "VALUES ('bld_m', 'str_m', 'com_m', '1 号楼', '{}')")
    await conn.execute("INSERT INTO households (id, street_id, community_id, building_id, unit_label, area_m2) "
                       "VALUES ('hh_m', 'str_m', 'com_m', 'bld_m', '101', 80)")
    await conn.execute("INSERT INTO persons (id, nickname) VALUES ('psn_m', '居民')")
    for pid, stage, secret, result in (("prp_secret", "voting", True, None),
                                       ("prp_open", "implementing", False, {"outcome": "adopted", "options": []}),
                                       ("prp_new", "collecting", None, None)):
        voting = stage != "collecting"
        await conn.execute(
            """INSERT INTO proposals (id, street_id, community_id, building_id, author_id, title, stage,
                                      support_threshold, collect_until, rule, secret, max_choices, opens_at,
                                      closes_at, decision, result, decided_at, voting_at)
               VALUES ($1, 'str_m', 'com_m', 'bld_m', 'psn_m', '加装电梯', $2, 1, $3, $4, $5, $6, $7, $8, $9,
                       $10::jsonb, $11, $7)""",
            pid, stage, OPENS, "two_thirds" if voting else None, secret, 1 if voting else None,
            OPENS if voting else None, OPENS + timedelta(days=2) if voting else None,
            "adopted" if result else None, json.dumps(result) if result else None,
            OPENS + timedelta(days=2) if result else None)
        if not voting:
            continue
        await conn.execute("INSERT INTO vote_electorate (street_id, proposal_id, household_id, area_m2) "
                           "VALUES ('str_m', $1, 'hh_m', 80)", pid)
        await conn.execute("INSERT INTO vote_voters (street_id, proposal_id, household_id, person_id, role, head) "
                           "VALUES ('str_m', $1, 'hh_m', 'psn_m', 'owner', true)", pid)
        await conn.execute(
            """INSERT INTO ballots (id, street_id, proposal_id, household_id, cast_by, choice, receipt, version)
               VALUES ($1, 'str_m', $2, 'hh_m', 'psn_m', $3, 'r2', 2)""",
            f"blt_{pid}", pid, None if secret else "yes")
        for version, receipt in ((1, "r1"), (2, "r2")):
            await conn.execute(
                """INSERT INTO ballot_history (street_id, proposal_id, household_id, cast_by, choice, receipt, version)
                   VALUES ('str_m', $1, 'hh_m', 'psn_m', $2, $3, $4)""", pid, None if secret else "yes",
                receipt, version)
        if secret:
            await conn.execute("INSERT INTO secret_choices (street_id, proposal_id, receipt, choice, area_m2) "
                               "VALUES ('str_m', $1, 'r2', 'no', 80)", pid)


@pytest.fixture
async def migrated_before_votes(postgres_url: str, worker_id: str, tmp_path: Path):
    async with migrated_before(postgres_url, f"bilin_votes_migration_{worker_id}", VOTES_MIGRATION, tmp_path) as url:
        yield url, tmp_path


async def test_every_opened_vote_is_carried_over_onto_its_own_row(migrated_before_votes):
    url, migrations = migrated_before_votes
    conn = await asyncpg.connect(url)
    try:
        await _seed(conn)
        apply(url, migrations, VOTES_MIGRATION)

        votes = {r["subject_id"]: r for r in await conn.fetch("SELECT * FROM votes WHERE street_id = 'str_m'")}
        assert set(votes) == {"prp_secret", "prp_open"}  # a proposal still collecting has no vote
        secret, tallied = votes["prp_secret"], votes["prp_open"]
        assert secret["subject_type"] == "proposal" and secret["building_id"] == "bld_m"
        assert (secret["rule"], secret["secret"], secret["max_choices"]) == ("two_thirds", True, 1)
        assert (secret["opens_at"], secret["closes_at"]) == (OPENS, OPENS + timedelta(days=2))
        assert secret["result"] is None and secret["tallied_at"] is None
        assert json.loads(tallied["result"])["outcome"] == "adopted"
        assert tallied["tallied_at"] == OPENS + timedelta(days=2)

        for table, per_vote in (("vote_electorate", 1), ("vote_voters", 1), ("ballots", 1),
                                ("ballot_history", 2)):
            counts = dict(await conn.fetch(f"SELECT vote_id, count(*) FROM {table} GROUP BY vote_id"))
            assert counts == {secret["id"]: per_vote, tallied["id"]: per_vote}, table
        assert await conn.fetchval("SELECT choice FROM secret_choices WHERE vote_id = $1 AND receipt = 'r2'",
                                   secret["id"]) == "no"
        assert await conn.fetchval("SELECT choice FROM ballots WHERE vote_id = $1", tallied["id"]) == "yes"
        columns = {r["column_name"] for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'proposals'")}
        assert not columns & {"rule", "secret", "max_choices", "opens_at", "closes_at", "result"}
        assert {"decision", "winning_option_id", "decided_at"} <= columns
        # The carried-over vote's ids are new (and stable), in the id alphabet.
        assert secret["id"].startswith("vot_") and len(secret["id"]) == 20
    finally:
        await conn.close()
