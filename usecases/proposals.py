"""Proposals: raised by residents and leaders of a building, supported by households, given
options, moved through the four steps by leaders, authors and the service's own deadlines,
and rated once carried out. A stage change is made in one place (``apply_move``): the row,
the timeline entry, the event and the deadline job of the new stage, in the caller's
transaction. The vote of a proposal is a vote (usecases/votes.py) with the proposal as its
subject; comments are in usecases/proposal_comments.py, ballots in usecases/proposal_ballots.py,
the due jobs in usecases/proposals_jobs.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import proposals as stages
from domain.errors import Conflict, RuleViolation
from domain.moderation import SCENES, shown
from domain.permissions import Actor, Principal, ensure_for
from domain.places import BuildingRules, support_threshold
from domain.proposals import Option, Proposal, TimelineEntry
from domain.votes import Subject
from store import proposals as store
from store.paging import Keyset
from usecases import document_amendments, fund, moderation, places, votes
from usecases.actors import actor_for
from usecases.kernel import (
    acting_household,
    actor_ref,
    changes_of,
    person_of,
    place_of,
    record_event,
    schedule_job,
    visible_or_404,
)
from usecases.moderation import ContentChecker

COLLECT_DEADLINE_JOB = "proposal.collect_deadline"
VOTE_CLOSE_JOB = "proposal.vote_close"
EVALUATION_END_JOB = "proposal.evaluation_end"

Precondition = Callable[[Proposal], None]


class ProposalJob(msgspec.Struct, frozen=True):
    """The payload of every proposal job: which proposal is due."""

    proposal_id: str


class NewProposal(msgspec.Struct, frozen=True):
    title: str
    description: str = ""
    category: str = "other"
    kind: str = "general"
    amendment: document_amendments.AmendmentCommand | None = None
    budget_fen: int | None = None


class ProposalChanges(msgspec.Struct, frozen=True):
    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    category: str | UnsetType = UNSET
    budget_fen: int | None | UnsetType = UNSET


class BallotPlan(msgspec.Struct, frozen=True):
    closes_at: datetime
    opens_at: datetime | None = None
    secret: bool = False
    rule: str | None = None  # None: the building's default decision rule
    max_choices: int | None = None


class Transition(msgspec.Struct, frozen=True):
    to: str
    outcome: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    ballot: BallotPlan | None = None


class NewOption(msgspec.Struct, frozen=True):
    title: str
    description: str = ""


class Evaluation(msgspec.Struct, frozen=True):
    stars: int
    text: str = ""
    household_id: str | None = None


def subject_of(proposal_id: str) -> Subject:
    return Subject("proposal", proposal_id)


async def with_vote(conn: asyncpg.Connection, proposal: Proposal, *, lock: str | None = None) -> Proposal:
    vote = await votes.of_subject(conn, proposal.street_id, subject_of(proposal.id), lock=lock)
    return dataclasses.replace(proposal, vote=vote)


async def locked(conn: asyncpg.Connection, street_id: str, proposal_id: str, *, lock: str) -> Proposal | None:
    """The proposal and its vote, both rows locked (``lock``: "share" or "update")."""
    proposal = await store.get(conn, street_id, proposal_id, lock=lock)
    return None if proposal is None else await with_vote(conn, proposal, lock=lock)


async def visible_proposal(conn: asyncpg.Connection, actor: Actor, proposal_id: str, *,
                           lock: str | None = None) -> Proposal:
    proposal = visible_or_404(await store.get(conn, actor.principal.street_id, proposal_id, lock=lock),
                              lambda found: actor.sees(place_of(found)) and shown(
                                  found.moderation, is_author=found.author_id == actor.person_id,
                                  is_leader=actor.leader_of(place_of(found))))
    return await with_vote(conn, proposal, lock=lock)


async def rules_of(conn: asyncpg.Connection, proposal: Proposal) -> BuildingRules:
    return await places.building_rules(conn, proposal.street_id, proposal.building_id)


async def apply_move(conn: asyncpg.Connection, proposal: Proposal, move: stages.Move, *, now: datetime,
                     actor: Actor | None) -> Proposal:
    """Make a stage change the domain allowed, on the locked ``proposal`` row."""
    updated = await store.move(conn, proposal.id, to=move.to, outcome=move.outcome, reason=move.reason, at=now)
    actor_type, actor_id = actor_ref(actor)
    await store.add_timeline(conn, updated, from_stage=proposal.stage, to_stage=move.to, outcome=move.outcome,
                             actor_type=actor_type, actor_id=actor_id, reason=move.reason, at=now)
    # The service's own moves give a reason code; what a person or client typed stays on the
    # proposal and its timeline, out of the event (domain/events.py).
    await record_event(conn, "proposal.stage_changed", "proposal", updated, {
        "from": proposal.stage, "to": move.to, "outcome": move.outcome,
        "reason": move.reason if actor is None else None, "by": {"type": actor_type, "id": actor_id}})
    await fund.on_moved(conn, updated.id, move.to, now)
    if move.to == "evaluating":
        until = now + timedelta(days=(await rules_of(conn, updated)).evaluation_days)
        await schedule(conn, EVALUATION_END_JOB, until, updated)
        updated = await store.update(conn, updated.id, {"evaluation_until": until})
    return dataclasses.replace(updated, vote=proposal.vote)


async def schedule(conn: asyncpg.Connection, kind: str, run_at: datetime, proposal: Proposal, *,
                    once: bool = True) -> None:
    await schedule_job(conn, kind, run_at, ProposalJob(proposal.id), street_id=proposal.street_id,
                       dedupe_key=f"{kind}:{proposal.id}" if once else None)


async def create(conn: asyncpg.Connection, who: Principal, building_id: str, command: NewProposal,
                 now: datetime, checker: ContentChecker | None = None) -> Proposal:
    """Residents of the building and its leaders raise proposals (as persons); their text is
    checked first (usecases/moderation.py: risky is refused, doubtful text waits)."""
    actor = await actor_for(conn, who)
    building = await places.visible_building(conn, actor, building_id)
    person = person_of(actor)
    place = places.building_place(building)
    ensure_for(actor, actor.resident_of(place) or actor.leader_of(place))
    texts = [command.title, command.description]
    texts += [command.amendment.text] if command.amendment is not None else []  # a document amendment's
    checked = checker and await checker.check(conn, who, texts, SCENES["proposal"])
    rules = building.building_rules
    amendment = await document_amendments.check_new(conn, building, command.kind, command.amendment)
    proposal = await store.insert(
        conn, street_id=building.street_id, community_id=building.community_id, building_id=building.id,
        author_id=person, title=command.title, description=command.description, category=command.category,
        support_threshold=support_threshold(rules, await store.voting_households(conn, building.id)),
        collect_until=now + timedelta(days=rules.collect_days),
        kind=command.kind, amendment=amendment)
    if command.budget_fen:
        proposal = await store.update(conn, proposal.id, {"budget_fen": command.budget_fen})
    await store.add_timeline(conn, proposal, from_stage=None, to_stage="collecting", outcome=None,
                             actor_type="person", actor_id=person, reason=None, at=now)
    await record_event(conn, "proposal.created", "proposal", proposal, {
        "category": proposal.category, "stage": "collecting", "collect_until": proposal.collect_until.isoformat()})
    await schedule(conn, COLLECT_DEADLINE_JOB, proposal.collect_until, proposal)
    state = await moderation.record(conn, "proposal", proposal, checked, now)
    return proposal if state is None else dataclasses.replace(proposal, moderation=state)


async def get(conn: asyncpg.Connection, who: Principal, proposal_id: str) -> Proposal:
    return await visible_proposal(conn, await actor_for(conn, who), proposal_id)


async def list_for_building(conn: asyncpg.Connection, who: Principal, building_id: str, keyset: Keyset, *,
                            stage: str | None, category: str | None, mine: bool) -> list[Proposal]:
    actor = await actor_for(conn, who)
    building = await places.visible_building(conn, actor, building_id)
    author = person_of(actor) if mine else None
    leader = actor.leader_of(places.building_place(building))
    page = await store.page(conn, building.street_id, building.id, keyset, stage=stage, category=category,
                            author_id=author, held_unless=None if leader else actor.person_id or "")
    opened = await votes.of_subjects(conn, building.street_id, "proposal", [p.id for p in page])
    return [dataclasses.replace(p, vote=opened.get(p.id)) for p in page]


async def update(conn: asyncpg.Connection, who: Principal, proposal_id: str, command: ProposalChanges,
                 precondition: Precondition, checker: ContentChecker | None = None) -> Proposal:
    """The author edits the text while collecting (409 ``wrong_stage`` after)."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    ensure_for(actor, actor.person_id == proposal.author_id)
    precondition(proposal)
    stages.ensure_stage(proposal.stage, "collecting")
    changes = changes_of(command)
    if not changes:
        return proposal
    texts = [changes[name] for name in ("title", "description") if name in changes]
    checked = checker and texts and await checker.check(conn, who, texts, SCENES["proposal"]) or None
    updated = await store.update(conn, proposal.id, changes)
    await record_event(conn, "proposal.updated", "proposal", updated, {"changed": sorted(changes)})
    state = await moderation.record(conn, "proposal", updated, checked)
    return dataclasses.replace(updated, vote=proposal.vote, moderation=state or updated.moderation)


async def transition(conn: asyncpg.Connection, who: Principal, proposal_id: str, command: Transition,
                     precondition: Precondition, now: datetime) -> Proposal:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    precondition(proposal)
    request = stages.TransitionRequest(
        to=command.to, outcome=command.outcome, reason=command.reason, duplicate_of=command.duplicate_of,
        has_ballot=command.ballot is not None, is_author=actor.person_id == proposal.author_id,
        is_leader=actor.leader_of(place_of(proposal)))
    move = stages.requested_move(proposal.stage, request)
    if move.outcome == "duplicate":
        original = await store.get(conn, proposal.street_id, command.duplicate_of or "")
        if original is None or original.building_id != proposal.building_id or original.id == proposal.id:
            raise RuleViolation("invalid_duplicate_of")
        proposal = dataclasses.replace(await store.update(conn, proposal.id, {"duplicate_of": original.id}),
                                       vote=proposal.vote)
    if move.to == "voting" and command.ballot is not None:
        proposal = await _open_vote(conn, proposal, command.ballot, now)
    return await apply_move(conn, proposal, move, now=now, actor=actor)


async def _open_vote(conn: asyncpg.Connection, proposal: Proposal, plan: BallotPlan, now: datetime) -> Proposal:
    """Deliberating → voting (the caller checked the transition): open the proposal's vote on
    its options and schedule the tally at ``closes_at``."""
    rules = await rules_of(conn, proposal)
    if proposal.amendment is not None:  # a document amendment's checks, under its document's lock
        await document_amendments.check_before_vote(conn, proposal, rule=plan.rule or rules.default_decision_rule,
                                                    options=len(await store.options(conn, proposal.id)))
    vote = await votes.open_vote(
        conn, subject_of(proposal.id), proposal,
        votes.Plan(rule=plan.rule or rules.default_decision_rule, closes_at=plan.closes_at, opens_at=plan.opens_at,
                   secret=plan.secret, max_choices=plan.max_choices),
        options=len(await store.options(conn, proposal.id)), min_hours=rules.vote_min_hours, now=now)
    await schedule(conn, VOTE_CLOSE_JOB, vote.closes_at, proposal)
    await fund.reserve(conn, proposal, now)
    return dataclasses.replace(proposal, vote=vote)


async def support(conn: asyncpg.Connection, who: Principal, proposal_id: str, household_id: str | None,
                  now: datetime) -> Proposal:
    """One support per household. The row lock serialises supports of one proposal, so the
    crossing of the threshold is seen — and acted on — by exactly one of them."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    household = acting_household(actor, proposal.building_id, household_id)
    stages.ensure_stage(proposal.stage, "collecting")
    count = await store.add_support(conn, proposal, household, person_of(actor))
    if count is None:
        raise Conflict("already_supported")
    proposal = await with_vote(conn, await store.get(conn, proposal.street_id, proposal.id))
    await record_event(conn, "proposal.supported", "proposal", proposal,
                       {"household_id": household, "support_count": count})
    move = stages.support_reached(proposal.stage, count, proposal.support_threshold)
    if move is not None:
        proposal = await apply_move(conn, proposal, move, now=now, actor=None)
    return proposal


async def withdraw_support(conn: asyncpg.Connection, who: Principal, proposal_id: str,
                           household_id: str | None) -> None:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    household = acting_household(actor, proposal.building_id, household_id)
    stages.ensure_stage(proposal.stage, "collecting")
    if await store.remove_support(conn, proposal.id, household):
        await record_event(conn, "proposal.support_withdrawn", "proposal", proposal, {"household_id": household})


async def add_option(conn: asyncpg.Connection, who: Principal, proposal_id: str, command: NewOption,
                     checker: ContentChecker | None = None) -> Option:
    """The author or a leader adds options before the vote opens; their text is checked at
    once (scene 3), never held (``ContentChecker.check_now``)."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    ensure_for(actor, actor.person_id == proposal.author_id or actor.leader_of(place_of(proposal)))
    stages.ensure_stage(proposal.stage, *stages.OPEN_STAGES)
    if len(await store.options(conn, proposal.id)) >= stages.MAX_OPTIONS:
        raise RuleViolation("too_many_options", {"max": stages.MAX_OPTIONS})
    if checker is not None:
        await checker.check_now(conn, who, [command.title, command.description or ""], "proposal")
    option = await store.add_option(conn, proposal, command.title, command.description, created_by=actor.person_id)
    await record_event(conn, "proposal.option_added", "proposal", proposal, {"option_id": option.id})
    return option


async def list_options(conn: asyncpg.Connection, who: Principal, proposal_id: str, keyset: Keyset) -> list[Option]:
    proposal = await visible_proposal(conn, await actor_for(conn, who), proposal_id)
    return await store.options_page(conn, proposal.id, keyset)


async def evaluate(conn: asyncpg.Connection, who: Principal, proposal_id: str, command: Evaluation) -> Proposal:
    """Each household rates once while the proposal is being evaluated."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    household = acting_household(actor, proposal.building_id, command.household_id)
    stages.ensure_stage(proposal.stage, "evaluating")
    updated = await store.add_evaluation(conn, proposal, household_id=household, person_id=person_of(actor),
                                         stars=command.stars, text=command.text)
    if updated is None:
        raise Conflict("already_evaluated")
    await record_event(conn, "proposal.evaluated", "proposal", updated, {"household_id": household,
                                                                         "stars": command.stars})
    return dataclasses.replace(updated, vote=proposal.vote)


async def timeline(conn: asyncpg.Connection, who: Principal, proposal_id: str,
                   keyset: Keyset) -> list[TimelineEntry]:
    proposal = await visible_proposal(conn, await actor_for(conn, who), proposal_id)
    return await store.timeline_page(conn, proposal.id, keyset)


async def building_of(conn: asyncpg.Connection, street_id: str, proposal_id: str) -> str | None:
    """The building of a proposal of the street (for a task carrying it out), None when none."""
    proposal = await store.get(conn, street_id, proposal_id)
    return None if proposal is None else proposal.building_id


async def start_evaluation_if_tasks_done(conn: asyncpg.Connection, proposal_id: str, street_id: str,
                                         now: datetime) -> bool:
    """Called by usecases/tasks.py in the transaction that verifies or cancels a task linked to
    ``proposal_id``, once every linked task is ``verified`` (cancelled ones ignored): it moves
    an ``implementing`` proposal to ``evaluating`` (timeline, event, the evaluation window's
    job) and returns True; otherwise it does nothing and returns False. A proposal that needs
    no task is moved by a leader with ``POST /proposals/{id}/transitions``."""
    proposal = await locked(conn, street_id, proposal_id, lock="update")
    if proposal is None or proposal.stage != "implementing":
        return False
    await apply_move(conn, proposal, stages.Move("evaluating", reason="tasks_verified"), now=now, actor=None)
    return True
