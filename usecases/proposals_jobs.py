"""The due jobs of proposals (worker/jobs.py HANDLERS): the collection deadline, the vote's
close (the tally and the decision) and the end of the evaluation window. Each runs in its
job's transaction, on the locked rows, and does nothing when the proposal has moved on
(withdrawn, already deliberating, …)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import asyncpg
import msgspec

from domain import proposals as stages
from domain.jobs import Job
from domain.proposals import Proposal
from store import proposals as store
from usecases import document_amendments, fund, votes
from usecases.kernel import record_event
from usecases.proposals import (
    COLLECT_DEADLINE_JOB,
    EVALUATION_END_JOB,
    VOTE_CLOSE_JOB,
    ProposalJob,
    apply_move,
    locked,
    schedule,
)

__all__ = ["COLLECT_DEADLINE_JOB", "EVALUATION_END_JOB", "VOTE_CLOSE_JOB", "close_collection", "close_vote",
           "end_evaluation"]


async def _due(conn: asyncpg.Connection, job: Job) -> Proposal | None:
    payload = msgspec.convert(job.payload, ProposalJob)
    return await locked(conn, job.street_id, payload.proposal_id, lock="update")


async def close_collection(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    proposal = await _due(conn, job)
    move = proposal and stages.collection_expired(proposal.stage, proposal.collect_until, now)
    if move:
        await apply_move(conn, proposal, move, now=now, actor=None)


async def end_evaluation(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    proposal = await _due(conn, job)
    move = proposal and stages.evaluation_expired(proposal.stage, proposal.evaluation_until, now)
    if move:
        await apply_move(conn, proposal, move, now=now, actor=None)


async def close_vote(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    """At ``closes_at``: tally the proposal's vote, record the decision, move the stage — once."""
    proposal = await _due(conn, job)
    if proposal is None or proposal.stage != "voting" or proposal.decision is not None or proposal.vote is None:
        return
    vote = proposal.vote
    if now < vote.closes_at:  # the deadline moved later: the job runs again then
        await schedule(conn, VOTE_CLOSE_JOB, vote.closes_at, proposal, once=False)
        return
    options = await store.options(conn, proposal.id)
    vote, tally = await votes.tally(conn, vote, {o.id: o.title for o in options}, now)
    proposal = await store.update(conn, proposal.id, {
        "decision": tally.outcome, "winning_option_id": tally.winning_option_id, "decided_at": now})
    proposal = dataclasses.replace(proposal, vote=vote)
    await record_event(conn, "proposal.decided", "proposal", proposal, {
        "decision": tally.outcome, "winning_option_id": tally.winning_option_id, "rule": tally.rule,
        "turnout": {"ballots": tally.participating_households, "eligible_households": tally.eligible_households}})
    await document_amendments.on_decided(conn, proposal, tally.outcome, now)
    await fund.on_decision(conn, proposal.id, tally.outcome, now)
    move = stages.vote_decided(proposal.stage, vote.closes_at, now, tally.outcome)
    if move is not None:
        await apply_move(conn, proposal, move, now=now, actor=None)
