"""Points moved onto the ledger (migrations/20261202070000_street_settings_ledger_rewards.sql):
every row of the old ``points_ledger`` becomes a posted transfer between the street's issuing
account and the person's account, keeping its id, reason, source and time, and every balance
is carried over exactly — here for rows written before the migration, in two streets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from domain.ids import looks_like
from tests.support.migrations import apply, migrated_before

LEDGER_MIGRATION = "20261202070000_street_settings_ledger_rewards.sql"
EARNED = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
# (id, street, person, delta, reason, source id)
OLD_ROWS = [
    ("pts_a", "str_m", "psn_a", 10, "task_verified", "tsk_1"),
    ("pts_b", "str_m", "psn_a", 25, "task_verified", "tsk_2"),
    ("pts_c", "str_m", "psn_b", 7, "task_verified", "tsk_3"),
    ("pts_d", "str_m", "psn_a", -5, "correction", "tsk_1"),
    ("pts_e", "str_n", "psn_a", 40, "task_verified", "tsk_9"),
]




@pytest.fixture
async def migrated_before_ledger(postgres_url: str, worker_id: str, tmp_path: Path):
    async with migrated_before(postgres_url, f"bilin_ledger_migration_{worker_id}", LEDGER_MIGRATION, tmp_path) as url:
        yield url, tmp_path


async def test_old_points_become_transfers_and_balances_carry_over_exactly(migrated_before_ledger):
    url, migrations = migrated_before_ledger
    conn = await asyncpg.connect(url)
    try:
        for street in ("str_m", "str_n"):
            await conn.execute("INSERT INTO streets (id, name) VALUES ($1, $1)", street)
        for person in ("psn_a", "psn_b"):
            await conn.execute("INSERT INTO persons (id) VALUES ($1)", person)
        for row in OLD_ROWS:
            await conn.execute(
                """INSERT INTO points_ledger (id, street_id, person_id, delta, reason, source_type, source_id,
                                              created_at) VALUES ($1, $2, $3, $4, $5, 'task', $6, $7)""",
                *row, EARNED)
        before = {(r["street_id"], r["person_id"]): r["sum"] for r in await conn.fetch(
            "SELECT street_id, person_id, sum(delta) FROM points_ledger GROUP BY 1, 2")}

        apply(url, migrations, LEDGER_MIGRATION)

        accounts = await conn.fetch("SELECT * FROM ledger_accounts")
        people = {(a["street_id"], a["owner_id"]): a for a in accounts if a["kind"] == "person"}
        assert {key: a["balance"] for key, a in people.items()} == before == {
            ("str_m", "psn_a"): 30, ("str_m", "psn_b"): 7, ("str_n", "psn_a"): 40}
        assert all(a["held"] == 0 for a in accounts)
        issuing = {a["street_id"]: a for a in accounts if a["kind"] == "issuing"}
        assert {s: a["balance"] for s, a in issuing.items()} == {"str_m": -37, "str_n": -40}
        assert all(a["may_go_negative"] for a in issuing.values())
        assert all(looks_like("ledger_account", a["id"]) for a in accounts)

        transfers = {t["id"]: t for t in await conn.fetch("SELECT * FROM ledger_transfers")}
        assert set(transfers) == {row[0] for row in OLD_ROWS}
        credit = transfers["pts_b"]
        assert credit["credit_account_id"] == people["str_m", "psn_a"]["id"]
        assert credit["debit_account_id"] == issuing["str_m"]["id"]
        assert (credit["amount"], credit["reason"], credit["source_type"], credit["source_id"], credit["status"],
                credit["created_at"]) == (25, "task_verified", "task", "tsk_2", "posted", EARNED)
        back = transfers["pts_d"]
        assert (back["debit_account_id"], back["credit_account_id"], back["amount"]) == (
            people["str_m", "psn_a"]["id"], issuing["str_m"]["id"], 5)
        assert not await conn.fetchval("SELECT to_regclass('points_ledger') IS NOT NULL")
    finally:
        await conn.close()
