"""The self-governance fund (自治金, the community spec §13): a public ledger on the kernel's
(domain/ledger.py). A fund is an account of the ``fund`` ledger owned by a community (or a
building); an income is a posted transfer into it from the street's income account; opening
a budgeted proposal's vote holds its budget (a pending transfer to the street's spending
account: the *reservation*); an expense posts a part of that hold once approved and made
public; what is left is voided (the *release*) when the vote is not adopted or the proposal
closes. The entries residents read are a view of those transfers.

Pure rules here: the figures as the sums of the entries, an expense within what its
reservation still holds, who approves and when approval is complete, and the stages of an
expense (``submitted → publicity → posted``, or ``rejected``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import Conflict, Forbidden, RuleViolation

LEDGER = "fund"
# The accounts: a fund (of a community or a building: ``kind`` names which, ``owner_id`` is the
# place), and the street's two sides of every fund: where incomes come from and where spending goes.
FUND_KINDS = ("community", "building")
INCOME_ACCOUNT, SPENDING_ACCOUNT = "income", "spending"
SOURCE_KINDS = ("street_allocation", "donation", "other")
ENTRY_KINDS = ("income", "reservation", "release", "expense")
EXPENSE_STATUSES = ("submitted", "publicity", "posted", "rejected")
OUTSTANDING = ("submitted", "publicity")  # claims on a reservation not yet posted or rejected
INSUFFICIENT = "insufficient_fund"
EXCEEDS = "exceeds_reservation"
# The stages in which an adopted proposal's budget is spent.
SPENDING_STAGES = ("implementing", "evaluating")


@dataclass(frozen=True, slots=True)
class Figures:
    balance_fen: int
    reserved_fen: int
    available_fen: int


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a fund's public ledger."""

    id: str
    kind: str  # income | reservation | release | expense
    amount_fen: int
    source_kind: str | None  # an income's: street_allocation | donation | other
    organization_id: str | None
    voucher_no: str | None
    proposal_id: str | None
    expense_id: str | None
    note: str
    created_at: datetime
    updated_at: datetime  # an entry never changes: its created_at


@dataclass(frozen=True, slots=True)
class Income:
    id: str
    street_id: str
    community_id: str
    building_id: str | None
    account_id: str
    transfer_id: str
    amount_fen: int
    source_kind: str
    organization_id: str | None
    voucher_no: str
    note: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Approval:
    id: str
    expense_id: str
    approver_type: str
    approver_id: str
    street_signoff: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Expense:
    id: str
    street_id: str
    community_id: str
    building_id: str
    proposal_id: str
    account_id: str
    reservation_id: str
    amount_fen: int
    description: str
    receipt_media_ids: list[str]
    claimant_type: str
    claimant_id: str | None
    status: str
    approvals_needed: int
    street_signoff_required: bool
    rejection_reason: str | None
    rejected_by_type: str | None
    rejected_by_id: str | None
    publicity_until: datetime | None
    transfer_id: str | None
    submitted_at: datetime
    publicity_at: datetime | None
    posted_at: datetime | None
    rejected_at: datetime | None
    created_at: datetime
    updated_at: datetime
    approvals: tuple[Approval, ...] = ()  # attached by the use case
    objection_count: int = 0


@dataclass(frozen=True, slots=True)
class Objection:
    id: str
    street_id: str
    expense_id: str
    person_id: str
    reason: str
    created_at: datetime
    updated_at: datetime


def figures_of(entries: Iterable[Entry]) -> Figures:
    """The fund's figures as the sums of its entries: the balance is what came in less what was
    spent; the reserved amount is what reservations hold less what was released or spent of
    them (every expense is spent out of a reservation)."""
    totals = dict.fromkeys(ENTRY_KINDS, 0)
    for entry in entries:
        totals[entry.kind] += entry.amount_fen
    balance = totals["income"] - totals["expense"]
    reserved = totals["reservation"] - totals["release"] - totals["expense"]
    return Figures(balance, reserved, balance - reserved)


def check_claim(unsettled: int, outstanding: int, amount: int) -> None:
    """An expense fits what its reservation still holds, less the claims already on it
    (submitted or in publicity): 422 ``exceeds_reservation`` with what is left."""
    left = unsettled - outstanding
    if amount > left:
        raise RuleViolation(EXCEEDS, {"unspent_fen": max(left, 0)})


def signoff_required(amount: int, threshold: int | None) -> bool:
    """A street officer signs off an expense above the street's threshold."""
    return threshold is not None and amount > threshold


def approvals_needed(two_approvers: bool) -> int:
    return 2 if two_approvers else 1


def check_approval(expense: Expense, approver: tuple[str, str | None], *, may_approve: bool) -> None:
    """An approval of a submitted expense (409 ``wrong_expense_status`` after), by one who may
    approve (403 ``not_allowed``), never the claimant (403 ``claimant_cannot_approve``), once
    each (409 ``already_approved``)."""
    if expense.status != "submitted":
        raise Conflict("wrong_expense_status", {"status": expense.status})
    if not may_approve:
        raise Forbidden("not_allowed")
    if approver == (expense.claimant_type, expense.claimant_id):
        raise Forbidden("claimant_cannot_approve")
    if any((a.approver_type, a.approver_id) == approver for a in expense.approvals):
        raise Conflict("already_approved")


def approved(approvals: Iterable[Approval], needed: int, signoff: bool) -> bool:
    """Complete when ``needed`` different approvers approved and, when a sign-off is required,
    one of them signed off as a street officer."""
    given = list(approvals)
    distinct = {(a.approver_type, a.approver_id) for a in given}
    return len(distinct) >= needed and (not signoff or any(a.street_signoff for a in given))


def check_rejection(expense: Expense, reason: str | None, *, may_approve: bool) -> str:
    """An approver rejects an expense not yet posted (a submitted one, or one in publicity
    after an objection), always with a reason."""
    if expense.status not in OUTSTANDING:
        raise Conflict("wrong_expense_status", {"status": expense.status})
    if not may_approve:
        raise Forbidden("not_allowed")
    if not (reason or "").strip():
        raise RuleViolation("rejection_reason_required")
    return (reason or "").strip()


def check_objection(expense: Expense) -> None:
    """Objections are raised during the publicity period only."""
    if expense.status != "publicity":
        raise Conflict("wrong_expense_status", {"status": expense.status})


def publicity_until(now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)


def due_to_post(expense: Expense, now: datetime) -> bool:
    return expense.status == "publicity" and expense.publicity_until is not None and now >= expense.publicity_until
