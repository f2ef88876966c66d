"""The fund's rules (domain/fund.py on domain/ledger.py) against a brute-force model that keeps
nothing but the list of entries: after any random sequence of incomes, reservations,
expenses (parts of a reservation) and releases, the fund account's running balance and held
amount are the figures the entries sum to, ``available`` is never below zero, and an
operation is refused exactly when the model says the fund (or the reservation) cannot cover
it. And the approval rules: complete only with enough different approvers and, above the
threshold, a street officer's sign-off; never by the claimant."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import fund, ledger
from domain.errors import Conflict, Forbidden, RuleViolation
from domain.ledger import Account, Transfer

AT = datetime(2026, 12, 3, tzinfo=UTC)
PROPOSALS = ("p1", "p2", "p3")


def _account(id: str, *, negative: bool) -> Account:
    return Account(id, "s", fund.LEDGER, "community", id, negative, 0, 0)


class System:
    """The fund as the rules keep it: accounts moved by domain/ledger.py, transfers with their
    status and what was settled of them in parts."""

    def __init__(self) -> None:
        self.fund = _account("fund", negative=False)
        self.income = _account("income", negative=True)
        self.spending = _account("spending", negative=True)
        self.reservations: dict[str, Transfer] = {}
        self.entries: list[fund.Entry] = []

    def _entry(self, kind: str, amount: int, proposal: str | None) -> None:
        self.entries.append(fund.Entry(f"e{len(self.entries)}", kind, amount, None, None, None, proposal, None, "",
                                       AT, AT))

    def income_of(self, amount: int) -> None:
        self.income, self.fund = ledger.apply(self.income, self.fund, "post", amount, refusal=fund.INSUFFICIENT)
        self._entry("income", amount, None)

    def reserve(self, proposal: str, amount: int) -> None:
        if proposal in self.reservations:
            return  # a proposal's vote opens once
        self.fund, self.spending = ledger.apply(self.fund, self.spending, "hold", amount, refusal=fund.INSUFFICIENT)
        self.reservations[proposal] = Transfer(proposal, "s", fund.LEDGER, "fund", "spending", amount, "reservation",
                                               "proposal", proposal, "", ledger.PENDING, None, AT, None)
        self._entry("reservation", amount, proposal)

    def expense(self, proposal: str, amount: int) -> None:
        reservation = self.reservations.get(proposal)
        if reservation is None:
            raise RuleViolation(fund.EXCEEDS)
        fund.check_claim(reservation.unsettled, 0, amount)
        ledger.part(reservation, amount, refusal=fund.EXCEEDS)
        self.fund, self.spending = ledger.apply(self.fund, self.spending, "post_pending", amount,
                                                refusal=fund.INSUFFICIENT)
        self.reservations[proposal] = dataclasses.replace(reservation, settled=reservation.settled + amount)
        self._entry("expense", amount, proposal)

    def release(self, proposal: str) -> None:
        reservation = self.reservations.get(proposal)
        if reservation is None:
            return
        operation = ledger.resolve(reservation.status, ledger.VOIDED)
        if reservation.unsettled:
            self.fund, self.spending = ledger.apply(self.fund, self.spending, operation, reservation.unsettled,
                                                    refusal=fund.INSUFFICIENT)
            self._entry("release", reservation.unsettled, proposal)
        self.reservations[proposal] = dataclasses.replace(reservation, status=ledger.VOIDED)


class Model:
    """Nothing but the entries: (kind, amount, proposal)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, int, str | None]] = []

    def total(self, kind: str, proposal: str | None = None) -> int:
        return sum(a for k, a, p in self.lines if k == kind and (proposal is None or p == proposal))

    def available(self) -> int:
        balance = self.total("income") - self.total("expense")
        return balance - (self.total("reservation") - self.total("release") - self.total("expense"))

    def unspent(self, proposal: str) -> int | None:
        """What the proposal's reservation still holds; None when it has none or was released."""
        if not self.total("reservation", proposal) or any(k == "release" or (k == "closed") for k, _a, p in self.lines
                                                          if p == proposal):
            return None
        return self.total("reservation", proposal) - self.total("expense", proposal)


operations = st.lists(st.one_of(
    st.tuples(st.just("income"), st.integers(1, 20_000), st.none()),
    st.tuples(st.just("reserve"), st.integers(1, 5_000), st.sampled_from(PROPOSALS)),
    st.tuples(st.just("expense"), st.integers(1, 2_000), st.sampled_from(PROPOSALS)),
    st.tuples(st.just("release"), st.just(0), st.sampled_from(PROPOSALS)),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_figures_are_the_sums_of_the_entries_and_available_never_negative(steps):
    system, model = System(), Model()
    for operation, amount, proposal in steps:
        if operation == "income":
            system.income_of(amount)
            model.lines.append(("income", amount, None))
        elif operation == "reserve":
            opened = model.total("reservation", proposal) > 0
            affordable = amount <= model.available()
            try:
                system.reserve(proposal, amount)
            except RuleViolation as refused:
                assert refused.code == fund.INSUFFICIENT and not affordable and not opened
            else:
                assert affordable or opened
                if not opened:
                    model.lines.append(("reservation", amount, proposal))
        elif operation == "expense":
            unspent = model.unspent(proposal)
            try:
                system.expense(proposal, amount)
            except RuleViolation as refused:
                assert refused.code == fund.EXCEEDS and (unspent is None or amount > unspent)
            except Conflict as refused:
                assert refused.code == "transfer_not_pending" and unspent is None
            else:
                assert unspent is not None and amount <= unspent
                model.lines.append(("expense", amount, proposal))
        else:
            unspent = model.unspent(proposal)
            try:
                system.release(proposal)
            except Conflict:
                assert unspent is None  # released already
            else:
                if unspent:
                    model.lines.append(("release", unspent, proposal))
                elif unspent == 0:
                    model.lines.append(("closed", 0, proposal))
        figures = fund.figures_of(system.entries)
        assert (system.fund.balance, system.fund.held) == (figures.balance_fen, figures.reserved_fen)
        assert system.fund.available == figures.available_fen == model.available() >= 0


def _expense(**changes) -> fund.Expense:
    base = fund.Expense(
        "exp_1", "s", "c", "b", "p", "a", "r", 100, "x", [], "person", "claimant", "submitted", 1, False, None, None,
        None, None, None, AT, None, None, None, AT, AT)
    return dataclasses.replace(base, **changes)


def _approval(who: str, signoff: bool = False) -> fund.Approval:
    return fund.Approval(f"eap_{who}", "exp_1", "person", who, signoff, AT)


@given(st.lists(st.tuples(st.sampled_from(("a", "b", "c", "d")), st.booleans()), max_size=6),
       st.booleans(), st.booleans())
def test_approval_is_complete_with_enough_different_approvers_and_the_signoff(given, two, signoff):
    approvals = [_approval(who, officer) for who, officer in given]
    needed = fund.approvals_needed(two)
    expected = len({who for who, _ in given}) >= needed and (not signoff or any(o for _, o in given))
    assert fund.approved(approvals, needed, signoff) is expected


def test_who_may_approve_reject_and_object():
    with pytest.raises(Forbidden) as own:
        fund.check_approval(_expense(), ("person", "claimant"), may_approve=True)
    assert own.value.code == "claimant_cannot_approve"
    with pytest.raises(Forbidden):
        fund.check_approval(_expense(), ("person", "x"), may_approve=False)
    with pytest.raises(Conflict) as twice:
        fund.check_approval(_expense(approvals=(_approval("x"),)), ("person", "x"), may_approve=True)
    assert twice.value.code == "already_approved"
    with pytest.raises(Conflict):
        fund.check_approval(_expense(status="publicity"), ("person", "x"), may_approve=True)
    with pytest.raises(RuleViolation) as silent:
        fund.check_rejection(_expense(), " ", may_approve=True)
    assert silent.value.code == "rejection_reason_required"
    assert fund.check_rejection(_expense(status="publicity"), " 不符 ", may_approve=True) == "不符"
    with pytest.raises(Conflict):
        fund.check_rejection(_expense(status="posted"), "x", may_approve=True)
    with pytest.raises(Conflict):
        fund.check_objection(_expense())
    assert fund.signoff_required(101, 100) and not fund.signoff_required(100, 100)
    assert not fund.signoff_required(10**9, None)
    with pytest.raises(RuleViolation) as over:
        fund.check_claim(100, 60, 41)
    assert over.value.params == {"unspent_fen": 40}
    fund.check_claim(100, 60, 40)
