"""The ledger's pure rules (domain/ledger.py) against a brute-force model that keeps only the
list of transfers and recomputes every account from it: after any sequence of credits, holds,
posts, voids, direct spends and corrections, each account's running balance and held amount
equal the sums of its transfers, a person's available amount is never below zero, and an
operation is refused exactly when the model says the person cannot afford it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import ledger
from domain.errors import Conflict, RuleViolation
from domain.ledger import Account, Transfer

AT = datetime(2026, 12, 1, tzinfo=UTC)
ISSUING = "issuing"
PEOPLE = ("p1", "p2", "p3")


@dataclass
class Model:
    """Nothing but the transfers: (debit, credit, amount, status)."""

    transfers: list[tuple[str, str, int, str]]

    def balance(self, account: str) -> int:
        return sum(a for d, c, a, s in self.transfers if s == "posted" and c == account) - \
            sum(a for d, c, a, s in self.transfers if s == "posted" and d == account)

    def held(self, account: str) -> int:
        return sum(a for d, _c, a, s in self.transfers if s == "pending" and d == account)

    def available(self, account: str) -> int:
        return self.balance(account) - self.held(account)


def _account(owner: str) -> Account:
    return Account(owner, "str_1", "points", "issuing" if owner == ISSUING else "person", owner,
                   owner == ISSUING, 0, 0)


def _transfer(index: int, debit: str, credit: str, amount: int, status: str) -> Transfer:
    return Transfer(f"t{index}", "str_1", "points", debit, credit, amount, "award", None, None, "", status, None,
                    AT, None)


operations = st.lists(st.tuples(
    st.sampled_from(["credit", "hold", "spend", "post", "void", "correct"]),
    st.sampled_from(PEOPLE), st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=40)),
    max_size=60)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_balances_are_the_sums_of_transfers_and_available_never_negative(steps):
    accounts = {owner: _account(owner) for owner in (ISSUING, *PEOPLE)}
    transfers: list[Transfer] = []
    model = Model([])

    def run(debit: str, credit: str, operation: str, amount: int) -> bool:
        try:
            accounts[debit], accounts[credit] = ledger.apply(accounts[debit], accounts[credit], operation, amount,
                                                             refusal="insufficient_points")
        except RuleViolation as refused:
            assert refused.code == "insufficient_points"
            return False
        return True

    for kind, person, amount, pick in steps:
        if kind in ("credit", "hold", "spend"):
            debit, credit = (ISSUING, person) if kind == "credit" else (person, ISSUING)
            pending = kind == "hold"
            affordable = debit == ISSUING or model.available(debit) >= amount
            done = run(debit, credit, "hold" if pending else "post", amount)
            assert done == affordable
            if done:
                status = "pending" if pending else "posted"
                transfers.append(_transfer(len(transfers), debit, credit, amount, status))
                model.transfers.append((debit, credit, amount, status))
        elif transfers:
            index = pick % len(transfers)
            chosen = transfers[index]
            if kind in ("post", "void"):
                to = "posted" if kind == "post" else "voided"
                try:
                    operation = ledger.resolve(chosen.status, to)
                except Conflict:
                    assert chosen.status != "pending"
                    continue
                assert run(chosen.debit_account_id, chosen.credit_account_id, operation, chosen.amount)
                transfers[index] = replace(chosen, status=to)
                d, c, a, _ = model.transfers[index]
                model.transfers[index] = (d, c, a, to)
            else:  # a correction: a new transfer the other way round
                try:
                    debit, credit, amount = ledger.reversal(chosen)
                except Conflict:
                    assert chosen.status != "posted"
                    continue
                affordable = debit == ISSUING or model.available(debit) >= amount
                assert run(debit, credit, "post", amount) == affordable
                if affordable:
                    transfers.append(_transfer(len(transfers), debit, credit, amount, "posted"))
                    model.transfers.append((debit, credit, amount, "posted"))
        for owner, account in accounts.items():
            assert account.balance == model.balance(owner)
            assert account.held == model.held(owner)
            if owner != ISSUING:
                assert account.available >= 0
        # double entry: what the people hold is what the street issued
        assert sum(a.balance for a in accounts.values()) == 0


def test_only_a_pending_transfer_is_settled_and_only_a_posted_one_reversed():
    with pytest.raises(Conflict):
        ledger.resolve("posted", "voided")
    with pytest.raises(Conflict):
        ledger.reversal(_transfer(0, ISSUING, "p1", 5, "pending"))
    assert ledger.reversal(_transfer(0, ISSUING, "p1", 5, "posted")) == ("p1", ISSUING, 5)
    with pytest.raises(RuleViolation):
        ledger.apply(_account(ISSUING), _account("p1"), "post", 0, refusal="insufficient_points")
