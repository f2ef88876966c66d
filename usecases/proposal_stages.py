"""What every proposal use case shares: loading a proposal the caller may see, the household
a person acts for, and making a stage change — the row, the timeline entry, the event and the
deadline job of the new stage, all in the caller's transaction. Also the due-job handlers of
the collection deadline and the evaluation window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from domain import proposals as stages
from domain.errors import NotFound
from domain.permissions import Actor, Place
from domain.places import BuildingRules
from store import buildings, jobs
from store import proposals as store
from store.events import Subject, append_event
from usecases.kernel import acting_household, actor_ref, person_of  # noqa: F401 - used by the proposal use cases

COLLECT_DEADLINE_JOB = "proposal.collect_deadline"
VOTE_CLOSE_JOB = "proposal.vote_close"
EVALUATION_END_JOB = "proposal.evaluation_end"


def place_of(proposal: asyncpg.Record) -> Place:
    return Place(proposal["street_id"], community_id=proposal["community_id"],
                 building_id=proposal["building_id"])


async def visible_proposal(conn: asyncpg.Connection, actor: Actor, proposal_id: str, *,
                           lock: str | None = None) -> asyncpg.Record:
    proposal = await store.get(conn, actor.principal.street_id, proposal_id, lock=lock)
    if proposal is None or not actor.sees(place_of(proposal)):
        raise NotFound("not_found")
    return proposal


async def record_event(conn: asyncpg.Connection, type: str, proposal: asyncpg.Record, data: dict[str, Any],
                       subject: Subject | None = None) -> None:
    await append_event(conn, type=type, street_id=proposal["street_id"],
                       subject=subject or Subject("proposal", proposal["id"]),
                       community_id=proposal["community_id"], building_id=proposal["building_id"],
                       data={"proposal_id": proposal["id"], **data})


async def apply_move(conn: asyncpg.Connection, proposal: asyncpg.Record, move: stages.Move, *, now: datetime,
                     actor: Actor | None) -> asyncpg.Record:
    """Make a stage change the domain allowed, on the locked ``proposal`` row."""
    updated = await store.move(conn, proposal["id"], to=move.to, outcome=move.outcome, reason=move.reason, at=now)
    actor_type, actor_id = actor_ref(actor)
    await store.add_timeline(conn, updated, from_stage=proposal["stage"], to_stage=move.to, outcome=move.outcome,
                             actor_type=actor_type, actor_id=actor_id, reason=move.reason, at=now)
    # The service's own moves give a reason code; what a person or client typed stays on the
    # proposal and its timeline, out of the event (domain/events.py).
    await record_event(conn, "proposal.stage_changed", updated, {
        "from": proposal["stage"], "to": move.to, "outcome": move.outcome,
        "reason": move.reason if actor is None else None, "by": {"type": actor_type, "id": actor_id}})
    if move.to == "evaluating":
        updated = await _open_evaluation(conn, updated, now)
    return updated


async def rules_of(conn: asyncpg.Connection, proposal: asyncpg.Record) -> BuildingRules:
    building = await buildings.get(conn, proposal["street_id"], proposal["building_id"])
    return BuildingRules.from_stored(building["rules"])


async def _open_evaluation(conn: asyncpg.Connection, proposal: asyncpg.Record, now: datetime) -> asyncpg.Record:
    until = now + timedelta(days=(await rules_of(conn, proposal)).evaluation_days)
    await jobs.schedule(conn, kind=EVALUATION_END_JOB, run_at=until, street_id=proposal["street_id"],
                        payload={"proposal_id": proposal["id"]}, dedupe_key=f"{EVALUATION_END_JOB}:{proposal['id']}")
    return await store.update(conn, proposal["id"], {"evaluation_until": until})


async def schedule_collect_deadline(conn: asyncpg.Connection, proposal: asyncpg.Record) -> None:
    await jobs.schedule(conn, kind=COLLECT_DEADLINE_JOB, run_at=proposal["collect_until"],
                        street_id=proposal["street_id"], payload={"proposal_id": proposal["id"]},
                        dedupe_key=f"{COLLECT_DEADLINE_JOB}:{proposal['id']}")


# Due jobs (worker/jobs.py HANDLERS): each runs in its job's transaction, on the locked row,
# and does nothing when the proposal has moved on (withdrawn, already deliberating, …).

async def _locked(conn: asyncpg.Connection, job: asyncpg.Record) -> asyncpg.Record | None:
    return await store.get(conn, job["street_id"], job["payload"]["proposal_id"], lock="update")


async def close_collection(conn: asyncpg.Connection, job: asyncpg.Record, now: datetime) -> None:
    proposal = await _locked(conn, job)
    move = proposal and stages.collection_expired(proposal["stage"], proposal["collect_until"], now)
    if move:
        await apply_move(conn, proposal, move, now=now, actor=None)


async def end_evaluation(conn: asyncpg.Connection, job: asyncpg.Record, now: datetime) -> None:
    proposal = await _locked(conn, job)
    move = proposal and stages.evaluation_expired(proposal["stage"], proposal["evaluation_until"], now)
    if move:
        await apply_move(conn, proposal, move, now=now, actor=None)


async def start_evaluation_if_tasks_done(conn: asyncpg.Connection, proposal_id: str, street_id: str,
                                         now: datetime) -> bool:
    """Called by usecases/tasks.py in the transaction that verifies or cancels a task linked to
    ``proposal_id``: once every linked task is ``verified`` (cancelled ones ignored), it moves
    an ``implementing`` proposal to ``evaluating`` (timeline, event, the evaluation window's
    job) and returns True; otherwise it does nothing and returns False. A proposal that needs
    no task is moved by a leader with ``POST /proposals/{id}/transitions``."""
    proposal = await store.get(conn, street_id, proposal_id, lock="update")
    if proposal is None or proposal["stage"] != "implementing":
        return False
    await apply_move(conn, proposal, stages.Move("evaluating", reason="tasks_verified"), now=now, actor=None)
    return True
