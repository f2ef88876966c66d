"""The demo fund of 嘉富社区 (development only), made through the same use cases the API runs:
the street's yearly allocation recorded by the community's staff, and a budgeted proposal of
嘉富苑 1 号楼 whose vote opened (reserving the budget), was adopted, and whose first expense was
claimed by the leader, approved by the staff and posted after its publicity period — dated
over the ten days before now. Loading is idempotent: nothing is added once the community's
fund has an income."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from domain.jobs import Job
from domain.permissions import Principal
from store.paging import NEWEST_FIRST, Keyset
from usecases import fund, fund_expenses, proposal_ballots, proposals, proposals_jobs

ALLOCATION_VOUCHER = "JY-ZZJ-2026-001"
_first = Keyset(NEWEST_FIRST, 1)


async def load_demo_fund(conn: asyncpg.Connection, row: asyncpg.Record, people: dict[str, Principal],
                         now: datetime) -> bool:
    """``row``: the street, community and building of 嘉富苑 1 号楼; ``people``: the demo persons."""
    leader, resident, staff = people["wang"], people["zhang"], people["sun"]
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('demo-fund'))")
        if await fund.entries(conn, staff, "community", row["community_id"], _first, None):
            return False
        then = now - timedelta(days=10)
        await fund.record_income(conn, staff, "community", row["community_id"], fund.NewIncome(
            amount_fen=2_000_000, note="2026 年度街道自治金下拨", source=fund.IncomeSource(
                kind="street_allocation", voucher_no=ALLOCATION_VOUCHER)), then)
        lights = await proposals.create(conn, resident, row["building_id"], proposals.NewProposal(
            title="楼道加装感应灯", category="facilities", budget_fen=300_000,
            description="楼道夜间太暗，老人上下楼不安全，建议每层加装感应灯，费用从自治金列支。"), then)
        await proposals.add_option(conn, resident, lights.id, proposals.NewOption(title="每层加装感应灯"))
        await proposals.transition(conn, leader, lights.id, proposals.Transition(to="deliberating"),
                                   lambda current: None, then)
        closes = then + timedelta(days=2)
        await proposals.transition(conn, leader, lights.id, proposals.Transition(
            to="voting", ballot=proposals.BallotPlan(closes_at=closes, rule="simple_majority")),
            lambda current: None, then)
        await proposal_ballots.cast(conn, resident, lights.id, proposal_ballots.BallotCommand(choice="yes"),
                                    then + timedelta(hours=1))
        await proposals_jobs.close_vote(conn, Job(
            id="demo-fund", street_id=row["street_id"], kind=proposals_jobs.VOTE_CLOSE_JOB, run_at=closes,
            payload={"proposal_id": lights.id}, status="running", attempts=0, last_error=None, dedupe_key=None,
            done_at=None, done_by=None), closes + timedelta(minutes=1))
        claimed = then + timedelta(days=3)
        expense = await fund_expenses.submit(conn, leader, lights.id, fund_expenses.NewExpense(
            amount_fen=128_000, description="购买并安装楼道感应灯 12 盏（含人工）"), claimed)
        approved = await fund_expenses.approve(conn, staff, expense.id, claimed + timedelta(hours=2))
        await fund_expenses.post_due(conn, row["street_id"], expense.id,
                                     approved.publicity_until or claimed + timedelta(days=3))
    return True
