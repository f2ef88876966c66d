"""The fund's figures in the database are the sums of its entries, whatever happens: a
hypothesis property test that runs random sequences of incomes, reservations (the use case
that opening a vote calls), expenses (parts of a reservation posted by the kernel's ledger)
and releases against PostgreSQL, each sequence in a transaction rolled back afterwards, and
compares after every step with a brute-force model that keeps nothing but the list of what
happened: the account's balance and held amount equal the figures summed from the entries
view (store/fund.py), ``available`` is never below zero, and an operation is refused exactly
when the model says the fund or the reservation cannot cover it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import fund as rules
from domain.errors import Conflict, RuleViolation
from domain.ids import new_id
from domain.permissions import Place
from store import fund as store
from store import ledger
from tests.support.town import build_town
from usecases import fund

PROPOSALS = ("p1", "p2", "p3")
steps = st.lists(st.one_of(
    st.tuples(st.just("income"), st.integers(1, 20_000), st.none()),
    st.tuples(st.just("reserve"), st.integers(1, 5_000), st.sampled_from(PROPOSALS)),
    st.tuples(st.just("expense"), st.integers(1, 2_000), st.sampled_from(PROPOSALS)),
    st.tuples(st.just("release"), st.just(0), st.sampled_from(PROPOSALS)),
), min_size=3, max_size=25)


@dataclass(frozen=True)
class Budget:
    id: str
    street_id: str
    community_id: str
    building_id: str
    budget_fen: int


class Model:
    """What happened, and nothing else: (kind, amount, proposal)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, int, str | None]] = []

    def total(self, kind: str, proposal: str | None = None) -> int:
        return sum(a for k, a, p in self.lines if k == kind and (proposal is None or p == proposal))

    def available(self) -> int:
        return self.total("income") - self.total("reservation") + self.total("release")

    def unspent(self, proposal: str) -> int | None:
        """What the proposal's reservation holds; None without one, or once released."""
        if not self.total("reservation", proposal) or any(k in ("release", "closed") and p == proposal
                                                          for k, _a, p in self.lines):
            return None
        return self.total("reservation", proposal) - self.total("expense", proposal)


async def _run(conn, town, ids: dict[str, str], sequence) -> None:
    now = await business_now_of(conn)
    model = Model()
    account = await fund.account_of(conn, Place(town.street_id, community_id=town.community))
    income = await ledger.account(conn, town.street_id, rules.LEDGER, rules.INCOME_ACCOUNT, town.street_id,
                                  may_go_negative=True)
    for operation, amount, name in sequence:
        step = conn.transaction()
        await step.start()
        try:
            if operation == "income":
                current = await ledger.account_by_id(conn, account.id)
                await ledger.transfer(conn, debit=income, credit=current, amount=amount, reason="income", at=now,
                                      refusal=rules.INSUFFICIENT, source=("fund_income", new_id("fund_income")))
                model.lines.append(("income", amount, None))
            elif operation == "reserve":
                opened = model.total("reservation", name) > 0
                affordable = amount <= model.available()
                try:
                    held = await fund.reserve(conn, Budget(ids[name], town.street_id, town.community, town.building,
                                                           amount), now)
                except RuleViolation as refused:
                    assert refused.code == rules.INSUFFICIENT and not affordable and not opened
                    raise
                assert (held is None) == opened and (opened or affordable)
                if held is not None:
                    model.lines.append(("reservation", amount, name))
            elif operation == "expense":
                unspent = model.unspent(name)
                reservation = await store.reservation_of(conn, ids[name], lock=True)
                try:
                    if reservation is None:
                        raise RuleViolation(rules.EXCEEDS)
                    await ledger.settle_part(conn, reservation.id, amount, reason="expense", at=now,
                                             refusal=rules.EXCEEDS, source=("expense", new_id("expense")))
                except (RuleViolation, Conflict):
                    assert unspent is None or amount > unspent
                    raise
                assert unspent is not None and amount <= unspent
                model.lines.append(("expense", amount, name))
            else:
                unspent = model.unspent(name)
                released = await fund.release(conn, ids[name], now, "proposal_closed")
                assert released == (unspent or 0)
                if unspent is not None:
                    model.lines.append(("release", unspent, name) if unspent else ("closed", 0, name))
        except (RuleViolation, Conflict):
            await step.rollback()
        else:
            await step.commit()
        found = await ledger.account_by_id(conn, account.id)
        summed = rules.figures_of(await store.all_entries(conn, account.id))
        assert (found.balance, found.held, found.available) == (
            summed.balance_fen, summed.reserved_fen, summed.available_fen), model.lines
        assert found.available == model.available() >= 0


async def business_now_of(conn):
    return await conn.fetchval("SELECT clock_timestamp() + offset_seconds * interval '1 second' FROM test_clock")


async def test_figures_in_the_database_are_the_sums_of_the_entries(db, test_settings, platform):
    town = await build_town(db, test_settings, platform)
    loop = asyncio.get_running_loop()

    async def example(sequence) -> None:
        async with db.acquire() as conn:
            outer = conn.transaction()
            await outer.start()
            try:
                await _run(conn, town, {name: new_id("proposal") for name in PROPOSALS}, sequence)
            finally:
                await outer.rollback()

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps)
    def check(sequence) -> None:
        asyncio.run_coroutine_threadsafe(example(sequence), loop).result()

    await asyncio.to_thread(check)
