"""Points for tests: credit a person through the ledger's own use case (as a verified task
would), and check that every account's running balance equals the sum of its transfers."""

from __future__ import annotations

import asyncpg

from domain.ids import new_id
from tests.support.clock import business_now
from usecases import points


async def give(db: asyncpg.Pool, street_id: str, person_id: str, amount: int, reason: str = "task_verified") -> str:
    source = new_id("task")
    async with db.acquire() as conn, conn.transaction():
        moved = await points.credit(conn, street_id=street_id, person_id=person_id, amount=amount, reason=reason,
                                    source_type="task", source_id=source, at=await business_now(db))
    assert moved is not None
    return moved.id


async def assert_balances_are_sums(db: asyncpg.Pool, street_id: str) -> None:
    """balance = Σ posted in − Σ posted out; held = Σ pending out (less what was settled of
    them in parts); and the street's accounts sum to zero (double entry)."""
    rows = await db.fetch(
        """SELECT a.id, a.balance, a.held,
                  coalesce((SELECT sum(amount) FROM ledger_transfers WHERE credit_account_id = a.id
                              AND status = 'posted'), 0)
                - coalesce((SELECT sum(amount) FROM ledger_transfers WHERE debit_account_id = a.id
                              AND status = 'posted'), 0) AS summed,
                  coalesce((SELECT sum(amount - settled) FROM ledger_transfers WHERE debit_account_id = a.id
                              AND status = 'pending'), 0) AS pending
             FROM ledger_accounts a WHERE a.street_id = $1""", street_id)
    assert rows
    for row in rows:
        assert (row["balance"], row["held"]) == (row["summed"], row["pending"]), dict(row)
    assert sum(row["balance"] for row in rows) == 0
