"""Wire types of proposals, supports, comments, options, ballots, results and the timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Actor, Stamp, id_text, text
from api.schemas.documents import Amendment, AmendmentRequest, ProposalKind, amendment_view
from api.schemas.moderation import Moderation
from api.schemas.places import DecisionRule
from domain import proposals as domain
from domain import votes as domain_votes
from domain.people import display_name
from domain.votes import VoterBallot

Stage = Literal["collecting", "deliberating", "voting", "implementing", "evaluating", "closed"]
Outcome = Literal["adopted", "rejected", "no_quorum", "insufficient_support", "withdrawn", "dismissed",
                  "duplicate"]
Decision = Literal["adopted", "rejected", "no_quorum"]
Choice = Literal["yes", "no", "abstain"]
Category = Annotated[str, Meta(pattern=r"^[a-z][a-z_]{0,31}$", examples=["facilities"])]
Title = text(100, min_length=1, example="加装电梯")
Description = text(5000, example="3 号楼加装电梯，费用按楼层分摊")
Reason = text(500, example="与已有议题重复")
When = Annotated[datetime, Meta(tz=True, examples=["2026-11-23T08:00:00Z"])]
HouseholdRef = id_text("hh_5t7v9x2b4d6f8h1k")
OptionRef = id_text("opt_5t7v9x2b4d6f8h1k")
Area = Annotated[str, Meta(examples=["89.50"])]
ProposalRef = id_text("prp_5t7v9x2b4d6f8h1k")
CommentRef = id_text("cmt_5t7v9x2b4d6f8h1k")
CommentBody = text(2000, min_length=1, example="支持，一楼住户也同意")
HideReason = text(500, min_length=1, example="人身攻击")
OptionDescription = text(1000, example="由专业公司施工")
EvaluationText = text(1000, example="电梯已装好，很满意")


class Support(msgspec.Struct):
    count: int
    threshold: int
    collect_until: Stamp


class Vote(msgspec.Struct):
    rule: DecisionRule
    secret: bool
    max_choices: int
    opens_at: Stamp
    closes_at: Stamp


class DecisionView(msgspec.Struct):
    outcome: Decision
    winning_option_id: str | None
    decided_at: Stamp


class EvaluationSummary(msgspec.Struct):
    until: Stamp | None
    count: int
    mean: Annotated[str | None, Meta(examples=["4.50"], description="Mean stars, two decimals")]


BudgetFen = Annotated[int, Meta(ge=1, le=100_000_000_00, examples=[500000],
                                description="Fen; opening the vote reserves it from the fund")]


class Proposal(msgspec.Struct):
    id: Annotated[str, Meta(examples=["prp_5t7v9x2b4d6f8h1k"])]
    building_id: str
    community_id: str
    title: str
    description: str
    category: str
    stage: Stage
    outcome: Outcome | None
    reason: str | None
    duplicate_of: str | None
    authored_by_me: bool
    support: Support
    vote: Vote | None
    decision: DecisionView | None
    evaluation: EvaluationSummary
    created_at: Stamp
    updated_at: Stamp
    deliberating_at: Stamp | None
    voting_at: Stamp | None
    implementing_at: Stamp | None
    evaluating_at: Stamp | None
    closed_at: Stamp | None
    moderation: Moderation = "none"
    kind: ProposalKind = "general"
    amendment: Amendment | None = None
    budget_fen: Annotated[int | None, Meta(description="The budget in fen, reserved from the fund when the vote "
                                                       "opens")] = None


class ProposalCreate(Input):
    title: Title
    description: Description = ""
    category: Category = "other"
    kind: ProposalKind = "general"
    amendment: AmendmentRequest | None = None
    budget_fen: BudgetFen | None = None


class ProposalUpdate(Input):
    title: Title | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    category: Category | UnsetType = UNSET
    budget_fen: BudgetFen | None | UnsetType = UNSET


class BallotPlan(Input):
    closes_at: When
    opens_at: When | None = None
    secret: bool = False
    rule: DecisionRule | None = None
    max_choices: Annotated[int, Meta(ge=1, le=20)] | None = None


class TransitionRequest(Input):
    # Every stage and outcome is accepted here: a known one the caller may not ask for now is
    # the stage machine's 409 (domain/proposals.py), only an unknown value is a 400.
    to: Stage
    outcome: Outcome | None = None
    reason: Reason | None = None
    duplicate_of: ProposalRef | None = None  # type: ignore[valid-type]
    ballot: BallotPlan | None = None


class SupportRequest(Input):
    household_id: HouseholdRef | None = None  # type: ignore[valid-type]


class Comment(msgspec.Struct):
    id: Annotated[str, Meta(examples=["cmt_5t7v9x2b4d6f8h1k"])]
    proposal_id: str
    parent_id: str | None
    body: Annotated[str | None, Meta(description="null once hidden by a leader")]
    hidden: bool
    hidden_reason: str | None
    authored_by_me: bool
    created_at: Stamp
    updated_at: Stamp
    moderation: Moderation = "none"


class CommentCreate(Input):
    body: CommentBody  # type: ignore[valid-type]
    parent_id: CommentRef | None = None  # type: ignore[valid-type]


class HideRequest(Input):
    reason: HideReason  # type: ignore[valid-type]


class Option(msgspec.Struct):
    id: Annotated[str, Meta(examples=["opt_5t7v9x2b4d6f8h1k"])]
    proposal_id: str
    title: str
    description: str
    created_at: Stamp
    updated_at: Stamp


class OptionCreate(Input):
    title: Title
    description: OptionDescription = ""  # type: ignore[valid-type]


class BallotCast(Input):
    choice: Choice | None = None
    option_ids: Annotated[list[OptionRef], Meta(max_length=20)] | None = None  # type: ignore[valid-type]
    household_id: HouseholdRef | None = None  # type: ignore[valid-type]


class BallotCaster(msgspec.Struct):
    person_id: str
    display_name: Annotated[str, Meta(examples=["张*华"])]


class BallotVersion(msgspec.Struct):
    """One version of a household's ballot, as its own members see it."""

    id: str
    proposal_id: str
    household_id: str
    version: int
    cast_by: BallotCaster
    choice: Annotated[Choice | None, Meta(description="null for a secret vote, always")]
    option_ids: Annotated[list[str] | None, Meta(description="null for a secret vote, always")]
    cast_at: Stamp
    created_at: Stamp
    updated_at: Stamp


class Ballot(msgspec.Struct):
    id: Annotated[str, Meta(examples=["blt_5t7v9x2b4d6f8h1k"])]
    proposal_id: str
    household_id: str
    secret: bool
    choice: Annotated[Choice | None, Meta(description="null for a secret vote, always")]
    option_ids: list[str] | None
    receipt: Annotated[str | None, Meta(description="Shown to the voter when cast; for a secret vote only then")]
    nonce: Annotated[str | None, Meta(description="Only in the answer to the cast: keep it to check the receipt")]
    version: int
    created_at: Stamp
    updated_at: Stamp


class Evaluate(Input):
    stars: Annotated[int, Meta(ge=1, le=5)]
    text: EvaluationText = ""  # type: ignore[valid-type]
    household_id: HouseholdRef | None = None  # type: ignore[valid-type]


class TimelineEntry(msgspec.Struct):
    id: Annotated[str, Meta(examples=["tln_5t7v9x2b4d6f8h1k"])]
    proposal_id: str
    from_stage: Stage | None
    to_stage: Stage
    outcome: Outcome | None
    by: Actor
    reason: str | None
    at: Stamp
    created_at: Stamp
    updated_at: Stamp


class Turnout(msgspec.Struct):
    ballots: int
    eligible_households: int


class Weight(msgspec.Struct):
    households: int
    area_m2: Area


class OptionResult(msgspec.Struct):
    option_id: str
    title: str
    approvals: int
    approval_area_m2: Area
    meets_rule: bool


class ChoiceCounts(msgspec.Struct):
    yes: int
    no: int
    abstain: int


class PublishedReceipt(msgspec.Struct):
    receipt: str
    choice: Choice | None
    option_ids: list[str] | None


class Result(msgspec.Struct):
    status: Literal["open", "closed"]
    rule: DecisionRule
    secret: bool
    opens_at: Stamp
    closes_at: Stamp
    turnout: Turnout
    outcome: Decision | None = None
    winning_option_id: str | None = None
    quorum_met: bool | None = None
    threshold_met: bool | None = None
    eligible: Weight | None = None
    participating: Weight | None = None
    options: list[OptionResult] | None = None
    choices: ChoiceCounts | None = None
    receipts: list[PublishedReceipt] | None = None


def _mean(count: int, total: int) -> str | None:
    if count == 0:
        return None
    return str((Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def proposal_view(proposal: domain.Proposal, me: str | None) -> Proposal:
    terms = proposal.vote
    vote = None if terms is None else Vote(terms.rule, terms.secret, terms.max_choices, terms.opens_at,
                                           terms.closes_at)
    decision = (None if proposal.decision is None
                else DecisionView(proposal.decision, proposal.winning_option_id, proposal.decided_at))
    return Proposal(
        id=proposal.id, building_id=proposal.building_id, community_id=proposal.community_id, title=proposal.title,
        description=proposal.description, category=proposal.category, stage=proposal.stage,
        outcome=proposal.outcome, reason=proposal.reason, duplicate_of=proposal.duplicate_of,
        authored_by_me=proposal.author_id == me,
        support=Support(proposal.support_count, proposal.support_threshold, proposal.collect_until),
        vote=vote, decision=decision,
        evaluation=EvaluationSummary(proposal.evaluation_until, proposal.evaluation_count,
                                     _mean(proposal.evaluation_count, proposal.evaluation_sum)),
        created_at=proposal.created_at, updated_at=proposal.updated_at, deliberating_at=proposal.deliberating_at,
        voting_at=proposal.voting_at, implementing_at=proposal.implementing_at, moderation=proposal.moderation,
        evaluating_at=proposal.evaluating_at, closed_at=proposal.closed_at,
        kind=proposal.kind, amendment=amendment_view(proposal.amendment),
        budget_fen=proposal.budget_fen)


def comment_view(comment: domain.Comment, me: str | None) -> Comment:
    hidden = comment.hidden_at is not None
    return Comment(id=comment.id, proposal_id=comment.proposal_id, parent_id=comment.parent_id,
                   body=None if hidden else comment.body, hidden=hidden, hidden_reason=comment.hidden_reason,
                   authored_by_me=comment.author_id == me, created_at=comment.created_at,
                   updated_at=comment.updated_at, moderation=comment.moderation)


def option_view(option: domain.Option) -> Option:
    return Option(id=option.id, proposal_id=option.proposal_id, title=option.title, description=option.description,
                  created_at=option.created_at, updated_at=option.updated_at)


def ballot_view(seen: VoterBallot) -> Ballot:
    """What domain/votes.py lets the voter see of the household's ballot, as sent."""
    ballot = seen.ballot
    return Ballot(id=ballot.id, proposal_id=seen.subject.id, household_id=ballot.household_id, secret=seen.secret,
                  choice=seen.choice, option_ids=seen.option_ids, receipt=seen.receipt, nonce=seen.nonce,
                  version=ballot.version, created_at=ballot.created_at, updated_at=ballot.updated_at)


def ballot_version_view(proposal_id: str) -> Callable[[domain_votes.BallotVersion], BallotVersion]:
    def view(version: domain_votes.BallotVersion) -> BallotVersion:
        return BallotVersion(id=version.id, proposal_id=proposal_id, household_id=version.household_id,
                             version=version.version,
                             cast_by=BallotCaster(version.cast_by, display_name(version.real_name, version.nickname)),
                             choice=version.choice, option_ids=version.option_ids, cast_at=version.cast_at,
                             created_at=version.created_at, updated_at=version.updated_at)
    return view


def timeline_view(entry: domain.TimelineEntry) -> TimelineEntry:
    return TimelineEntry(id=entry.id, proposal_id=entry.proposal_id, from_stage=entry.from_stage,
                         to_stage=entry.to_stage, outcome=entry.outcome, by=Actor(entry.actor_type, entry.actor_id),
                         reason=entry.reason, at=entry.at, created_at=entry.created_at, updated_at=entry.updated_at)


def result_view(state: domain_votes.Vote | domain_votes.Turnout) -> Result:
    """After the tally: the stored result document. While open: the turnout and the terms only."""
    if isinstance(state, domain_votes.Vote):
        return msgspec.convert({**(state.result or {}), "status": "closed"}, Result)
    vote = state.vote
    return Result(status="open", rule=vote.rule, secret=vote.secret, opens_at=vote.opens_at,
                  closes_at=vote.closes_at, turnout=Turnout(state.ballots, state.eligible_households))
