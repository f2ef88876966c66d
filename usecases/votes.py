"""Votes: opening one for a subject (its terms, the electorate frozen at opening), casting
and changing a household's ballot, reading one's own and its history, the turnout while
open, and the tally. The subject's feature (proposals today) finds the subject the caller
may see and calls these in its transaction; what the outcome means for the subject is its own.

Concurrency: a ballot holds the vote row FOR SHARE (ballots run side by side) and its
household's advisory lock (two ballots of one household run one after the other, the second
replacing the first); the tally holds the row FOR UPDATE, so it waits for ballots in flight
and any ballot after it finds the vote closed."""

from __future__ import annotations

import secrets
from datetime import datetime

import asyncpg
import msgspec

from domain import decisions
from domain import votes as rules
from domain.errors import Conflict, RuleViolation
from domain.permissions import Actor, Tie, casts_ballots, may_cast_ballot
from domain.votes import BallotVersion, Subject, Turnout, Vote, VoterBallot
from store import votes as store
from store.events import Subject as EventSubject
from store.events import append_event
from store.paging import Keyset
from usecases.kernel import Placed, acting_household, person_of


class Plan(msgspec.Struct, frozen=True):
    """A leader's ballot plan (the subject's defaults already applied to ``rule``)."""

    rule: str
    closes_at: datetime
    opens_at: datetime | None = None
    secret: bool = False
    max_choices: int | None = None


class BallotCommand(msgspec.Struct, frozen=True):
    choice: str | None = None
    option_ids: list[str] | None = None
    household_id: str | None = None


async def open_vote(conn: asyncpg.Connection, subject: Subject, place: Placed, plan: Plan, *,
                    options: int, min_hours: int, now: datetime) -> Vote:
    """Open a vote on ``subject`` among the voting households of its building: check the plan,
    set the terms and freeze the electorate with its voters."""
    terms = rules.plan(now=now, options=options, opens_at=plan.opens_at, closes_at=plan.closes_at,
                       max_choices=plan.max_choices, min_hours=min_hours)
    vote = await store.insert(conn, street_id=place.street_id, community_id=place.community_id,
                              building_id=place.building_id, subject=subject, rule=plan.rule, secret=plan.secret,
                              max_choices=terms.max_choices, opens_at=terms.opens_at, closes_at=terms.closes_at)
    await store.freeze_electorate(conn, vote)
    return vote


async def of_subject(conn: asyncpg.Connection, street_id: str, subject: Subject, *,
                     lock: str | None = None) -> Vote | None:
    return await store.of_subject(conn, street_id, subject, lock=lock)


async def of_subjects(conn: asyncpg.Connection, street_id: str, subject_type: str,
                      subject_ids: list[str]) -> dict[str, Vote]:
    return await store.of_subjects(conn, street_id, subject_type, subject_ids)


async def cast(conn: asyncpg.Connection, actor: Actor, vote: Vote | None, option_ids: list[str],
               command: BallotCommand, now: datetime) -> VoterBallot:
    """Cast or change the ballot of the household the caller acts for. ``vote`` was read
    FOR SHARE by the caller; ``option_ids`` are the subject's options, in order."""
    person = person_of(actor)
    rules.ballot_window(now, vote)
    assert vote is not None and vote.building_id is not None  # ballot_window refused a missing vote
    household = acting_household(actor, vote.building_id, command.household_id, casts_ballots)
    area, frozen = await store.eligibility(conn, vote.id, household, person)
    if area is None:  # not in the electorate frozen at opening
        raise RuleViolation("household_not_eligible")
    at_opening = None if frozen is None else Tie(household, vote.building_id, vote.community_id,
                                                 frozen.role, frozen.head)
    if not may_cast_ballot(actor, household, at_opening):
        raise RuleViolation("not_voter_at_opening")
    choice, chosen = rules.check_ballot(option_ids, vote.max_choices, command.choice, command.option_ids)
    nonce = secrets.token_hex(16)
    receipt = rules.receipt_of(vote.subject_id, choice, chosen, nonce)
    stored = rules.stored_choice(vote.secret, choice, chosen)
    if vote.secret:  # the previous receipt's choice is replaced: read it under the household's lock
        await store.lock_household_ballot(conn, vote.id, household)
        previous = await store.current(conn, vote.id, household)
        ballot = await store.cast(conn, vote, household_id=household, person_id=person, stored=stored,
                                  choice=choice, option_ids=chosen, receipt=receipt, area=area, previous=previous)
    else:
        ballot = await store.cast_open(conn, vote, household_id=household, person_id=person,
                                       choice=stored[0], option_ids=stored[1], receipt=receipt)
    # The event names the subject as before votes had their own table (``proposal_id``).
    await append_event(conn, type="ballot.cast", street_id=vote.street_id, subject=EventSubject("ballot", ballot.id),
                       community_id=vote.community_id, building_id=vote.building_id,
                       data={f"{vote.subject_type}_id": vote.subject_id, "household_id": household,
                             "version": ballot.version})
    return rules.as_seen_by_voter(vote, ballot, choice=choice, option_ids=chosen, nonce=nonce)


async def mine(conn: asyncpg.Connection, actor: Actor, building_id: str, vote: Vote | None,
               household_id: str | None) -> VoterBallot:
    """The ballot of the household the caller acts for (in ``building_id``, the subject's):
    409 ``no_ballot`` while the vote runs and it has none, ``wrong_stage`` otherwise."""
    household = acting_household(actor, building_id, household_id, casts_ballots)
    ballot = None if vote is None else await store.current(conn, vote.id, household)
    if ballot is None:
        open_now = vote is not None and vote.tallied_at is None
        raise Conflict("no_ballot") if open_now else Conflict("wrong_stage")
    assert vote is not None
    return rules.as_seen_by_voter(vote, ballot, choice=ballot.choice, option_ids=ballot.option_ids, nonce=None)


async def history(conn: asyncpg.Connection, actor: Actor, building_id: str, vote: Vote | None,
                  household_id: str | None, keyset: Keyset) -> list[BallotVersion]:
    """Every version of the household's ballot and who cast it, for the household's own members
    (any of them, so a ballot changed by another member is seen by all); nobody else, leaders
    included, since it would tell them who in a household voted when."""
    household = acting_household(actor, building_id, household_id)
    if vote is None:
        return []
    return await store.history_page(conn, vote.id, household, keyset)


async def turnout(conn: asyncpg.Connection, vote: Vote) -> Turnout:
    """While open: how many households have voted, of how many."""
    return Turnout(vote, await store.turnout(conn, vote.id), len(await store.electorate(conn, vote.id)))


async def tally(conn: asyncpg.Connection, vote: Vote, titles: dict[str, str],
                now: datetime) -> tuple[Vote, decisions.Tally]:
    """Count the vote (the caller holds its row FOR UPDATE) and keep the result document.
    ``titles``: the subject's options, id → title, in order."""
    counted = await store.counted(conn, vote)
    result = rules.tally(vote, list(titles), await store.electorate(conn, vote.id), counted)
    vote = await store.record_tally(conn, vote.id, rules.result_document(vote, titles, result, counted), now)
    return vote, result
