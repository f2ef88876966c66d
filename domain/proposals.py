"""The four-step process (议题征集 → 方案论证 → 决策实施 → 结果评估) as a stage machine.

```
collecting ──(support threshold)──▶ deliberating ──(leader opens vote)──▶ voting
voting ──(closes_at passes)──▶ implementing ─▶ evaluating ─▶ closed/adopted
                    (not adopted) └──▶ closed/rejected | closed/no_quorum
collecting ──(collect_until passes)──▶ closed/insufficient_support
collecting, deliberating ──(author withdraws | leader dismisses | duplicate)──▶ closed
```
Pure functions: who may ask for which move, from which stage, with what; and the moves the
service makes by itself (threshold, deadlines, the tally). A refused move raises the
domain error the API answers with: 409 ``wrong_stage``, 403 ``not_allowed``, 422 for a
missing reason, duplicate or ballot plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import Conflict, Forbidden, RuleViolation
from domain.votes import Vote

STAGES = ("collecting", "deliberating", "voting", "implementing", "evaluating", "closed")
OUTCOMES = ("adopted", "rejected", "no_quorum", "insufficient_support", "withdrawn", "dismissed", "duplicate")
OPEN_STAGES = ("collecting", "deliberating")  # before the vote: still withdrawable
MAX_OPTIONS = 20


@dataclass(frozen=True, slots=True)
class Proposal:
    id: str
    street_id: str
    community_id: str
    building_id: str
    author_id: str
    title: str
    description: str
    category: str
    stage: str
    outcome: str | None
    reason: str | None
    duplicate_of: str | None
    support_threshold: int
    support_count: int
    collect_until: datetime
    decision: str | None  # set from its vote's tally
    winning_option_id: str | None
    decided_at: datetime | None
    evaluation_until: datetime | None
    evaluation_count: int
    evaluation_sum: int
    deliberating_at: datetime | None
    voting_at: datetime | None
    implementing_at: datetime | None
    evaluating_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    vote: Vote | None = None  # attached by the use case once a vote was opened on it
    moderation: str = "none"  # content safety: domain/moderation.py
    kind: str = "general"  # or "document_amendment" (domain/documents.py)
    amendment: dict[str, Any] | None = None  # a document amendment's: domain/documents.py Amendment
    budget_fen: int | None = None  # reserved from the fund when the vote opens (domain/fund.py)


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    street_id: str
    proposal_id: str
    title: str
    description: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    street_id: str
    proposal_id: str
    parent_id: str | None
    author_id: str
    body: str
    hidden_at: datetime | None
    hidden_reason: str | None
    hidden_by: str | None
    created_at: datetime
    updated_at: datetime
    moderation: str = "none"  # content safety: domain/moderation.py


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    id: str
    proposal_id: str
    from_stage: str | None
    to_stage: str
    outcome: str | None
    actor_type: str
    actor_id: str | None
    reason: str | None
    at: datetime
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Move:
    """A stage change to make: the new stage, and the outcome when it closes the proposal."""

    to: str
    outcome: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class TransitionRequest:
    """A caller's ``POST /proposals/{id}/transitions``, with what the policy knows of them."""

    to: str
    outcome: str | None
    reason: str | None
    duplicate_of: str | None
    has_ballot: bool
    is_author: bool
    is_leader: bool


def requested_move(stage: str, request: TransitionRequest) -> Move:
    """The transitions table of resources.md §2; everything else is automatic or 409."""
    to, outcome = request.to, request.outcome
    if outcome is not None and to != "closed":
        raise RuleViolation("invalid_outcome")
    if to == "deliberating":
        _need_stage(stage, ("collecting",))
        _need(request.is_leader)
        return Move("deliberating", reason=request.reason)
    if to == "voting":
        _need_stage(stage, ("deliberating",))
        _need(request.is_leader)
        if not request.has_ballot:
            raise RuleViolation("ballot_required")
        return Move("voting", reason=request.reason)
    if to == "evaluating":
        _need_stage(stage, ("implementing",))
        _need(request.is_leader)
        return Move("evaluating", reason=request.reason)
    if to != "closed":
        raise Conflict("wrong_stage", {"stage": stage, "to": to})
    if stage == "evaluating" and outcome in (None, "adopted"):
        _need(request.is_leader)
        return Move("closed", "adopted", request.reason)
    if outcome == "withdrawn":
        _need_stage(stage, OPEN_STAGES)
        _need(request.is_author)
        return Move("closed", "withdrawn", request.reason)
    if outcome in ("dismissed", "duplicate"):
        _need_stage(stage, OPEN_STAGES)
        _need(request.is_leader)
        if outcome == "dismissed" and not (request.reason or "").strip():
            raise RuleViolation("reason_required")
        if outcome == "duplicate" and not request.duplicate_of:
            raise RuleViolation("duplicate_of_required")
        return Move("closed", outcome, request.reason)
    if outcome is None:
        # Closing is asked for only before the vote (withdrawn, dismissed, duplicate: say which);
        # from any other stage it is not the caller's to ask.
        _need_stage(stage, OPEN_STAGES)
        raise RuleViolation("outcome_required")
    # adopted outside evaluating, or an outcome only the service decides (rejected, no_quorum, …)
    raise Conflict("wrong_stage", {"stage": stage, "to": to})


def _need_stage(stage: str, allowed: tuple[str, ...]) -> None:
    if stage not in allowed:
        raise Conflict("wrong_stage", {"stage": stage})


def _need(allowed: bool) -> None:
    if not allowed:
        raise Forbidden("not_allowed")


# Moves the service makes by itself

def support_reached(stage: str, supports: int, threshold: int) -> Move | None:
    """Crossing the support threshold while collecting moves to deliberation (once: the
    caller holds the proposal's row lock, so the second crossing finds ``deliberating``)."""
    if stage == "collecting" and supports >= threshold:
        return Move("deliberating", reason="support_threshold_reached")
    return None


def collection_expired(stage: str, collect_until: datetime, now: datetime) -> Move | None:
    if stage == "collecting" and now >= collect_until:
        return Move("closed", "insufficient_support", "collect_until_passed")
    return None


def vote_decided(stage: str, closes_at: datetime, now: datetime, decision: str) -> Move | None:
    """After ``closes_at``: an adopted decision goes to implementation, else the proposal
    closes with the decision as its outcome. Never earlier: a vote is never closed early."""
    if stage != "voting" or now < closes_at:
        return None
    if decision == "adopted":
        return Move("implementing", reason="vote_closed")
    return Move("closed", decision, "vote_closed")


def evaluation_expired(stage: str, until: datetime | None, now: datetime) -> Move | None:
    if stage == "evaluating" and until is not None and now >= until:
        return Move("closed", "adopted", "evaluation_window_ended")
    return None


# The rules of the acts within a stage

def ensure_stage(stage: str, *allowed: str) -> None:
    """409 ``wrong_stage`` unless the proposal is in one of ``allowed``."""
    _need_stage(stage, allowed)
