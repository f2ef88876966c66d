"""A proposal's vote as its households see it: casting and changing a ballot, reading one's
own and its history, and the result. The proposal is found (and locked) here; the vote's
rules and records are usecases/votes.py."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.errors import Conflict
from domain.permissions import Principal
from domain.votes import BallotVersion, Turnout, Vote, VoterBallot
from store import proposals as store
from store.paging import Keyset
from usecases import votes
from usecases.actors import actor_for
from usecases.proposals import visible_proposal

BallotCommand = votes.BallotCommand


async def cast(conn: asyncpg.Connection, who: Principal, proposal_id: str, command: BallotCommand,
               now: datetime) -> VoterBallot:
    """The proposal and its vote are held FOR SHARE: ballots run side by side, the tally
    (FOR UPDATE) waits for those in flight."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="share")
    options = [] if proposal.vote is None else [o.id for o in await store.options(conn, proposal.id)]
    return await votes.cast(conn, actor, proposal.vote, options, command, now)


async def mine(conn: asyncpg.Connection, who: Principal, proposal_id: str, household_id: str | None) -> VoterBallot:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id)
    return await votes.mine(conn, actor, proposal.building_id, proposal.vote, household_id)


async def history(conn: asyncpg.Connection, who: Principal, proposal_id: str, household_id: str | None,
                  keyset: Keyset) -> list[BallotVersion]:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id)
    return await votes.history(conn, actor, proposal.building_id, proposal.vote, household_id, keyset)


async def result(conn: asyncpg.Connection, who: Principal, proposal_id: str) -> Vote | Turnout:
    """While voting: the turnout only (a ``Turnout``). After the tally: the vote with its stored
    result. Before any vote: 409 ``wrong_stage``."""
    proposal = await visible_proposal(conn, await actor_for(conn, who), proposal_id)
    vote = proposal.vote
    if vote is None:
        raise Conflict("wrong_stage", {"stage": proposal.stage})
    if vote.result is not None:
        return vote
    return await votes.turnout(conn, vote)
