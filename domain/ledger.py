"""A double-entry ledger's rules, written once for every kind of value a street keeps account
of (public-welfare points; the fund next). TigerBeetle's model: every movement is a transfer
of a positive amount from a debit account to a credit account; a transfer is immutable but
for its status — a two-phase one is ``pending`` (the amount is *held* on the debit account)
and then ``posted`` or ``voided``; a correction is a new transfer the other way round.

An account carries its running ``balance`` (posted transfers in minus out) and ``held`` (its
pending debits); ``available`` = balance − held. An account that may not go negative (a
person's) never has ``available`` below zero: an operation that would take it there is
refused. store/ledger.py applies the same effects (``EFFECTS``) in SQL, in the statement
that writes the transfer, and the database's CHECK keeps ``available`` ≥ 0 under any
interleaving."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from domain.errors import Conflict, RuleViolation

PENDING, POSTED, VOIDED = "pending", "posted", "voided"
STATUSES = (PENDING, POSTED, VOIDED)

# What an operation does to (balance, held) of the debit account and to the balance of the
# credit account, per unit of the amount.
EFFECTS: dict[str, tuple[tuple[int, int], int]] = {
    "post": ((-1, 0), +1),  # a one-phase transfer, posted at once
    "hold": ((0, +1), 0),  # a two-phase transfer opened: pending
    "post_pending": ((-1, -1), +1),  # the pending transfer posted
    "void_pending": ((0, -1), 0),  # the pending transfer voided
}
# The operations that lower the debit account's ``available`` (and so may be refused).
SPENDING = frozenset({"post", "hold"})


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    street_id: str
    ledger: str
    kind: str  # person | issuing
    owner_id: str
    may_go_negative: bool
    balance: int
    held: int

    @property
    def available(self) -> int:
        return self.balance - self.held


@dataclass(frozen=True, slots=True)
class Transfer:
    id: str
    street_id: str
    ledger: str
    debit_account_id: str
    credit_account_id: str
    amount: int
    reason: str
    source_type: str | None
    source_id: str | None
    note: str
    status: str
    reverses_id: str | None
    created_at: datetime
    resolved_at: datetime | None
    settled: int = 0  # of a pending transfer: what was posted of it in parts (``part``)
    pending_id: str | None = None  # of a part: the pending transfer it settles

    @property
    def unsettled(self) -> int:
        """What a pending transfer still holds."""
        return self.amount - self.settled


@dataclass(frozen=True, slots=True)
class Entry:
    """A transfer as one of its accounts sees it: ``delta`` signed from that account's side."""

    id: str
    delta: int
    reason: str
    source_type: str | None
    source_id: str | None
    note: str
    status: str
    created_at: datetime


def check_amount(amount: int) -> None:
    if amount <= 0:
        raise RuleViolation("invalid_amount")


def affordable(account: Account, operation: str, amount: int) -> bool:
    """May ``operation`` of ``amount`` debit ``account``? Operations that do not lower
    ``available`` always may; others need the available amount (or an account that may go
    negative, like a street's issuing account)."""
    return operation not in SPENDING or account.may_go_negative or account.available >= amount


def apply(debit: Account, credit: Account, operation: str, amount: int, *,
          refusal: str) -> tuple[Account, Account]:
    """The two accounts after ``operation``; 422 ``refusal`` (the feature's code, e.g.
    ``insufficient_points``) when the debit account cannot afford it."""
    check_amount(amount)
    if not affordable(debit, operation, amount):
        raise RuleViolation(refusal)
    (d_balance, d_held), c_balance = EFFECTS[operation]
    debit = replace(debit, balance=debit.balance + d_balance * amount, held=debit.held + d_held * amount)
    credit = replace(credit, balance=credit.balance + c_balance * amount)
    return debit, credit


def resolve(status: str, to: str) -> str:
    """The operation that moves a transfer from ``status`` to ``to``: only a pending transfer
    is posted or voided, once (409 ``transfer_not_pending``)."""
    if status != PENDING or to not in (POSTED, VOIDED):
        raise Conflict("transfer_not_pending")
    return "post_pending" if to == POSTED else "void_pending"


def part(transfer: Transfer, amount: int, *, refusal: str) -> None:
    """May ``amount`` of a pending transfer be posted on its own (a part: an expense out of a
    reservation)? Only of a pending transfer (409 ``transfer_not_pending``), and never more
    than it still holds (422 ``refusal``). The rest stays held until posted in further parts or
    voided; a partly settled transfer is voided (its rest), never posted whole."""
    check_amount(amount)
    if transfer.status != PENDING:
        raise Conflict("transfer_not_pending")
    if amount > transfer.unsettled:
        raise RuleViolation(refusal, {"unsettled": transfer.unsettled})


def reversal(transfer: Transfer) -> tuple[str, str, int]:
    """A correction of a posted transfer: (debit, credit, amount) of the reversing transfer.
    Only a posted transfer is reversed (a pending one is voided instead)."""
    if transfer.status != POSTED:
        raise Conflict("transfer_not_posted")
    return transfer.credit_account_id, transfer.debit_account_id, transfer.amount
