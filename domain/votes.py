"""Votes: a subject (``{type, id}``: a proposal today; a document amendment or a rating
campaign next) put to the households of a place, with the electorate frozen at opening, one
ballot per household (changed as often as wanted while open, every version kept), receipts,
and the tally by ``domain/decisions.py``.

Pure rules and frozen models; the store makes the models, the use cases ask these rules.
The secret-ballot rule lives here alone: what a secret vote stores beside a household
(``stored_choice``) and what a voter is answered about their own ballot (``as_seen_by_voter``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain import decisions
from domain.errors import Conflict, RuleViolation
from domain.places import format_area


@dataclass(frozen=True, slots=True)
class Subject:
    """What a vote decides: ``("proposal", "prp_…")``."""

    type: str
    id: str


@dataclass(frozen=True, slots=True)
class Vote:
    id: str
    street_id: str
    community_id: str | None
    building_id: str | None
    subject_type: str
    subject_id: str
    rule: str
    secret: bool
    max_choices: int
    opens_at: datetime
    closes_at: datetime
    result: dict[str, Any] | None  # the document written by the tally
    tallied_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def subject(self) -> Subject:
        return Subject(self.subject_type, self.subject_id)


@dataclass(frozen=True, slots=True)
class Voter:
    """A household member as frozen when the vote opened."""

    role: str
    head: bool


@dataclass(frozen=True, slots=True)
class Ballot:
    """A household's current ballot as stored (no choice for a secret vote)."""

    id: str
    vote_id: str
    household_id: str
    cast_by: str
    choice: str | None
    option_ids: list[str] | None
    receipt: str
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class BallotVersion:
    """One version of a household's ballot and who cast it (no receipt: it would tie a
    published choice to the household)."""

    id: str
    vote_id: str
    household_id: str
    version: int
    cast_by: str
    real_name: str | None
    nickname: str | None
    choice: str | None
    option_ids: list[str] | None
    cast_at: datetime
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Counted:
    """A ballot as the tally sees it: its receipt, what it chose and its household's weight."""

    receipt: str
    choice: str | None
    option_ids: list[str] | None
    area_m2: Decimal


@dataclass(frozen=True, slots=True)
class VoterBallot:
    """A household's ballot as its voter is answered (see ``as_seen_by_voter``)."""

    ballot: Ballot
    subject: Subject
    secret: bool
    choice: str | None
    option_ids: list[str] | None
    receipt: str | None
    nonce: str | None


@dataclass(frozen=True, slots=True)
class Turnout:
    """An open vote's progress: its terms and how many households have voted so far."""

    vote: Vote
    ballots: int
    eligible_households: int


@dataclass(frozen=True, slots=True)
class Terms:
    opens_at: datetime
    closes_at: datetime
    max_choices: int


def plan(*, now: datetime, options: int, opens_at: datetime | None, closes_at: datetime,
         max_choices: int | None, min_hours: int) -> Terms:
    """Check a leader's ballot plan: ≥ 1 option, opening now or later, closing at least the
    building's ``vote_min_hours`` after opening, 1 ≤ max_choices ≤ options."""
    if options < 1:
        raise RuleViolation("options_required")
    start = opens_at or now
    if start < now - timedelta(minutes=1):
        raise RuleViolation("opens_in_past")
    if closes_at < start + timedelta(hours=min_hours):
        raise RuleViolation("vote_too_short", {"min_hours": min_hours})
    choices = 1 if options == 1 else (max_choices or 1)
    if choices > options:
        raise RuleViolation("too_many_choices", {"options": options})
    return Terms(start, closes_at, choices)


def ballot_window(now: datetime, vote: Vote | None) -> None:
    """A ballot is accepted from ``opens_at`` until (not at) ``closes_at``: 409
    ``vote_not_open`` before (or when no vote was opened), 409 ``vote_closed`` from then on,
    tallied or not."""
    if vote is None:
        raise Conflict("vote_not_open")
    if vote.tallied_at is not None or now >= vote.closes_at:
        raise Conflict("vote_closed")
    if now < vote.opens_at:
        raise Conflict("vote_not_open")


def check_ballot(option_ids: list[str], max_choices: int, choice: str | None,
                 chosen: list[str] | None) -> tuple[str | None, list[str] | None]:
    """The canonical ballot: (choice, None) for a single option, (None, sorted ids) for
    several; 422 ``invalid_ballot`` when it does not fit the vote."""
    if len(option_ids) == 1:
        if choice is None or chosen is not None:
            raise RuleViolation("invalid_ballot", {"expected": "choice"})
        return choice, None
    if chosen is None or choice is not None:
        raise RuleViolation("invalid_ballot", {"expected": "option_ids"})
    unique = sorted(set(chosen))
    if len(unique) != len(chosen) or len(unique) > max_choices or not set(unique) <= set(option_ids):
        raise RuleViolation("invalid_ballot", {"max_choices": max_choices})
    return None, unique


def receipt_of(subject_id: str, choice: str | None, option_ids: list[str] | None, nonce: str) -> str:
    """SHA-256 over the ballot and the voter's nonce: the voter can recompute it, nobody
    else can tell which ballot it is. It names the subject (the proposal's id), as published."""
    canonical = choice if choice is not None else ",".join(sorted(option_ids or []))
    return hashlib.sha256(f"bilin-ballot\n{subject_id}\n{canonical}\n{nonce}".encode()).hexdigest()


# The secret-ballot rule, in one place.

def stored_choice(secret: bool, choice: str | None,
                  option_ids: list[str] | None) -> tuple[str | None, list[str] | None]:
    """What is kept beside the household: the choice of an open vote; nothing of a secret
    one (its choice is kept under the receipt alone, where no household is named)."""
    return (None, None) if secret else (choice, option_ids)


def as_seen_by_voter(vote: Vote, ballot: Ballot, *, choice: str | None, option_ids: list[str] | None,
                     nonce: str | None) -> VoterBallot:
    """A household's ballot as answered to its voters. A secret choice is never answered, not
    even to the voter who cast it; its receipt is shown only in the answer to the cast (the
    one carrying the nonce), so a co-owner reading the ballot later cannot match it to the
    published receipts. An open vote shows choice and receipt always."""
    secret = vote.secret
    return VoterBallot(
        ballot=ballot, subject=vote.subject, secret=secret,
        choice=None if secret else choice, option_ids=None if secret else option_ids,
        receipt=ballot.receipt if (nonce is not None or not secret) else None, nonce=nonce)


def tally(vote: Vote, option_ids: list[str], electorate: dict[str, Decimal],
          counted: list[Counted]) -> decisions.Tally:
    return decisions.tally(vote.rule, option_ids, electorate,
                           [decisions.Cast(c.area_m2, decisions.approvals_of(option_ids, c.choice, c.option_ids))
                            for c in counted])


def result_document(vote: Vote, titles: dict[str, str], result: decisions.Tally,
                    counted: list[Counted]) -> dict[str, Any]:
    """The published result: the counts, the decision and every receipt with its choice (in
    receipt order, which says nothing about who or when). ``titles``: option id → title, in
    the options' order."""
    single = len(titles) == 1
    return {
        "rule": result.rule, "secret": vote.secret, "opens_at": vote.opens_at.isoformat(),
        "closes_at": vote.closes_at.isoformat(), "outcome": result.outcome,
        "winning_option_id": result.winning_option_id, "quorum_met": result.quorum_met,
        "threshold_met": result.threshold_met,
        "turnout": {"ballots": result.participating_households, "eligible_households": result.eligible_households},
        "eligible": {"households": result.eligible_households, "area_m2": format_area(result.eligible_area)},
        "participating": {"households": result.participating_households,
                          "area_m2": format_area(result.participating_area)},
        "options": [{"option_id": o.option_id, "title": titles[o.option_id], "approvals": o.households,
                     "approval_area_m2": format_area(o.area), "meets_rule": o.meets_rule} for o in result.options],
        "choices": ({c: sum(1 for r in counted if r.choice == c) for c in decisions.CHOICES} if single else None),
        "receipts": [{"receipt": r.receipt, "choice": r.choice, "option_ids": r.option_ids} for r in counted],
    }
