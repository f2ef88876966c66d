"""The vote: opening it (frozen electorate, the closing job), casting and changing a household's
ballot, reading one's own, the result, and the tally when ``closes_at`` has passed.

Concurrency: a ballot holds the proposal row FOR SHARE (ballots run side by side) and its
household's advisory lock (two ballots of one household run one after the other, the second
replacing the first); the tally holds the row FOR UPDATE, so it waits for ballots in flight
and any ballot after it finds the vote closed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

import asyncpg

from domain import decisions
from domain import proposals as stages
from domain.errors import Conflict, RuleViolation
from domain.permissions import Principal, Tie, casts_ballots, may_cast_ballot
from domain.places import format_area
from store import ballots, jobs, proposal_parts
from store import proposals as store
from store.events import Subject
from store.paging import Keyset
from usecases.actors import actor_for
from usecases.proposal_stages import (
    VOTE_CLOSE_JOB,
    acting_household,
    apply_move,
    person_of,
    record_event,
    rules_of,
    visible_proposal,
)


def receipt_of(proposal_id: str, choice: str | None, option_ids: list[str] | None, nonce: str) -> str:
    """SHA-256 over the ballot and the voter's nonce: the voter can recompute it, nobody
    else can tell which ballot it is."""
    canonical = choice if choice is not None else ",".join(sorted(option_ids or []))
    return hashlib.sha256(f"bilin-ballot\n{proposal_id}\n{canonical}\n{nonce}".encode()).hexdigest()


async def open_vote(conn: asyncpg.Connection, proposal: asyncpg.Record, plan: dict[str, Any],
                    now: datetime) -> asyncpg.Record:
    """Deliberating → voting (the caller checked the transition): freeze the electorate,
    set the vote's terms, and schedule the tally at ``closes_at``."""
    rules = await rules_of(conn, proposal)
    options = await proposal_parts.option_ids(conn, proposal["id"])
    vote = stages.plan_vote(now=now, options=len(options), opens_at=plan.get("opens_at"),
                            closes_at=plan["closes_at"], max_choices=plan.get("max_choices"),
                            min_hours=rules.vote_min_hours)
    rule = plan.get("rule") or rules.default_decision_rule
    await ballots.freeze_electorate(conn, proposal)
    await store.update(conn, proposal["id"], {"rule": rule, "secret": bool(plan.get("secret", False)),
                                              "max_choices": vote.max_choices, "opens_at": vote.opens_at,
                                              "closes_at": vote.closes_at})
    await jobs.schedule(conn, kind=VOTE_CLOSE_JOB, run_at=vote.closes_at, street_id=proposal["street_id"],
                        payload={"proposal_id": proposal["id"]}, dedupe_key=f"{VOTE_CLOSE_JOB}:{proposal['id']}")
    return await store.get(conn, proposal["street_id"], proposal["id"])


async def cast(conn: asyncpg.Connection, who: Principal, proposal_id: str, body: dict[str, Any],
               now: datetime) -> dict[str, Any]:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="share")
    person = person_of(actor)
    stages.ballot_window(now, proposal["opens_at"], proposal["closes_at"], proposal["stage"])
    household = acting_household(actor, proposal["building_id"], body.get("household_id"), casts_ballots)
    area = (await ballots.eligible(conn, proposal["id"], [household])).get(household)
    if area is None:  # not in the electorate frozen at opening
        raise RuleViolation("household_not_eligible")
    frozen = await ballots.voter_at_opening(conn, proposal["id"], household, person)
    at_opening = None if frozen is None else Tie(household, proposal["building_id"], proposal["community_id"],
                                                 frozen["role"], frozen["head"])
    if not may_cast_ballot(actor, household, at_opening):
        raise RuleViolation("not_voter_at_opening")
    options = await proposal_parts.option_ids(conn, proposal["id"])
    choice, chosen = stages.check_ballot(options, proposal["max_choices"], body.get("choice"),
                                         body.get("option_ids"))
    nonce = secrets.token_hex(16)
    receipt = receipt_of(proposal["id"], choice, chosen, nonce)
    await ballots.lock_household_ballot(conn, proposal["id"], household)
    previous = await ballots.current(conn, proposal["id"], household)
    row = await ballots.cast(conn, proposal, household_id=household, person_id=person, choice=choice,
                             option_ids=chosen, receipt=receipt, area=area, previous=previous)
    await record_event(conn, "ballot.cast", proposal, {"household_id": household, "version": row["version"]},
                       subject=Subject("ballot", row["id"]))
    secret = proposal["secret"]  # a secret choice is never answered, not even to its voter
    return {"ballot": row, "nonce": nonce, "choice": None if secret else choice,
            "option_ids": None if secret else chosen, "secret": secret}


async def mine(conn: asyncpg.Connection, who: Principal, proposal_id: str,
               household_id: str | None) -> dict[str, Any]:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id)
    household = acting_household(actor, proposal["building_id"], household_id, casts_ballots)
    row = await ballots.current(conn, proposal["id"], household)
    if row is None:
        raise Conflict("no_ballot") if proposal["stage"] == "voting" else Conflict("wrong_stage")
    return {"ballot": row, "nonce": None, "choice": row["choice"], "option_ids": row["option_ids"],
            "secret": proposal["secret"]}


async def history(conn: asyncpg.Connection, who: Principal, proposal_id: str, household_id: str | None,
                  keyset: Keyset) -> list[asyncpg.Record]:
    """Every version of the household's ballot and who cast it, for the household's own members
    (any of them, so a ballot changed by another member is seen by all); nobody else, leaders
    included, since it would tell them who in a household voted when."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id)
    household = acting_household(actor, proposal["building_id"], household_id)
    return await ballots.history_page(conn, proposal["id"], household, keyset)


async def result(conn: asyncpg.Connection, who: Principal, proposal_id: str) -> dict[str, Any]:
    """While voting: the turnout only. After the tally: the stored result."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id)
    if proposal["result"] is not None:
        return {**proposal["result"], "status": "closed"}
    if proposal["opens_at"] is None:
        raise Conflict("wrong_stage", {"stage": proposal["stage"]})
    eligible = len(await ballots.electorate(conn, proposal["id"]))
    return {"status": "open", "rule": proposal["rule"], "secret": proposal["secret"],
            "opens_at": proposal["opens_at"], "closes_at": proposal["closes_at"],
            "turnout": {"ballots": await ballots.turnout(conn, proposal["id"]), "eligible_households": eligible}}


def result_document(proposal: asyncpg.Record, options: list[asyncpg.Record], tally: decisions.Tally,
                    rows: list[asyncpg.Record]) -> dict[str, Any]:
    titles = {o["id"]: o["title"] for o in options}
    single = len(options) == 1
    return {
        "rule": tally.rule, "secret": proposal["secret"], "opens_at": proposal["opens_at"].isoformat(),
        "closes_at": proposal["closes_at"].isoformat(), "outcome": tally.outcome,
        "winning_option_id": tally.winning_option_id, "quorum_met": tally.quorum_met,
        "threshold_met": tally.threshold_met,
        "turnout": {"ballots": tally.participating_households, "eligible_households": tally.eligible_households},
        "eligible": {"households": tally.eligible_households, "area_m2": format_area(tally.eligible_area)},
        "participating": {"households": tally.participating_households,
                          "area_m2": format_area(tally.participating_area)},
        "options": [{"option_id": o.option_id, "title": titles[o.option_id], "approvals": o.households,
                     "approval_area_m2": format_area(o.area), "meets_rule": o.meets_rule} for o in tally.options],
        "choices": ({c: sum(1 for r in rows if r["choice"] == c) for c in decisions.CHOICES} if single else None),
        "receipts": [{"receipt": r["receipt"], "choice": r["choice"], "option_ids": r["option_ids"]} for r in rows],
    }


async def close_vote(conn: asyncpg.Connection, job: asyncpg.Record, now: datetime) -> None:
    """Due job at ``closes_at``: tally, record the decision, move the stage — once."""
    proposal = await store.get(conn, job["street_id"], job["payload"]["proposal_id"], lock="update")
    if proposal is None or proposal["stage"] != "voting" or proposal["decision"] is not None:
        return
    if now < proposal["closes_at"]:  # the deadline moved later: the job runs again then
        await jobs.schedule(conn, kind=VOTE_CLOSE_JOB, run_at=proposal["closes_at"], street_id=proposal["street_id"],
                            payload={"proposal_id": proposal["id"]})
        return
    options = await proposal_parts.options(conn, proposal["id"])
    electorate = await ballots.electorate(conn, proposal["id"])
    rows = await ballots.counted(conn, proposal)
    ids = [o["id"] for o in options]
    tally = decisions.tally(proposal["rule"], ids, electorate,
                            [decisions.Cast(r["area_m2"], decisions.approvals_of(ids, r["choice"], r["option_ids"]))
                             for r in rows])
    document = result_document(proposal, options, tally, rows)
    proposal = await store.update(conn, proposal["id"], {
        "decision": tally.outcome, "winning_option_id": tally.winning_option_id, "result": document,
        "decided_at": now})
    await record_event(conn, "proposal.decided", proposal, {
        "decision": tally.outcome, "winning_option_id": tally.winning_option_id, "rule": tally.rule,
        "turnout": document["turnout"]})
    move = stages.vote_decided(proposal["stage"], proposal["closes_at"], now, tally.outcome)
    if move is not None:
        await apply_move(conn, proposal, move, now=now, actor=None)
