"""Tasks of a building's list: made by leaders (or from a proposal, a report, a dispatch),
worked by their assignee — a person or an organisation's members — and verified by a leader
(or, for a report's task, by its reporter). Verification credits the points, resolves the
report and may move the proposal to evaluation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from domain import tasks as rules
from domain.errors import Forbidden, NotFound, RuleViolation
from domain.ids import new_id
from domain.permissions import Actor, Place, Principal, ensure_for, require_scope
from store import buildings, communities
from store import tasks as store
from store.paging import Keyset
from usecases import proposals
from usecases.actors import actor_for
from usecases.kernel import actor_ref, person_of
from usecases.proposals import start_evaluation_if_tasks_done
from usecases.reports import resolve_for_task
from usecases.task_rules import (
    assignee_keys,
    check_assignee,
    insert_task,
    is_assignee,
    is_verifier,
    place_of,
    record_event,
    schedule_deadlines,
    stored_fields,
    visible_task,
)

Precondition = Callable[[asyncpg.Record], None]
MAX_DISPATCH = 500


async def _building_place(conn: asyncpg.Connection, street_id: str, building_id: str) -> Place:
    building = await buildings.get(conn, street_id, building_id)
    if building is None:
        raise NotFound("not_found")
    return Place(street_id, community_id=building["community_id"], building_id=building["id"])


async def create(conn: asyncpg.Connection, who: Principal, building_id: str, fields: dict[str, Any]) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    place = await _building_place(conn, who.street_id, building_id)
    if not actor.sees(place):
        raise NotFound("not_found")
    ensure_for(actor, actor.leader_of(place))
    source = fields.pop("source", "manual")
    source_id = fields.pop("source_id", None)
    if source == "proposal":
        if not source_id or await proposals.building_of(conn, who.street_id, source_id) != building_id:
            raise RuleViolation("invalid_source")
    elif source_id is not None:
        raise RuleViolation("invalid_source")
    return await insert_task(conn, actor, place, fields, source=source, source_id=source_id)


async def list_for_building(conn: asyncpg.Connection, who: Principal, building_id: str, keyset: Keyset,
                            **filters: Any) -> list[asyncpg.Record]:
    """Those who see the building see its list; an organisation's member (or an assignee)
    who does not sees only the tasks assigned to them or their organisations."""
    actor = await actor_for(conn, who)
    place = await _building_place(conn, who.street_id, building_id)
    assigned_to = None
    if not actor.sees(place):
        if not actor.grants.organizations:
            raise NotFound("not_found")
        assigned_to = assignee_keys(actor)
    return await store.page(conn, who.street_id, keyset, building_id=building_id, assigned_to=assigned_to,
                            **filters)


async def list_mine(conn: asyncpg.Connection, who: Principal, keyset: Keyset, **filters: Any) -> list[asyncpg.Record]:
    actor = await actor_for(conn, who)
    person_of(actor)
    return await store.page(conn, who.street_id, keyset, assigned_to=assignee_keys(actor), **filters)


async def get(conn: asyncpg.Connection, who: Principal, task_id: str) -> asyncpg.Record:
    return await visible_task(conn, await actor_for(conn, who), task_id)


async def update(conn: asyncpg.Connection, who: Principal, task_id: str, changes: dict[str, Any],
                 precondition: Precondition) -> asyncpg.Record:
    """Leaders change any field; the assignee may only tick the checklist."""
    actor = await actor_for(conn, who)
    task = await visible_task(conn, actor, task_id, lock=True)
    leader = actor.leader_of(place_of(task))
    ensure_for(actor, leader or (is_assignee(actor, task) and set(changes) <= {"checklist"}))
    precondition(task)
    rules.ensure_changeable(task["status"])
    if not changes:
        return task
    if "assignee" in changes:
        await check_assignee(conn, task["street_id"], changes["assignee"])
    stored = stored_fields(changes)
    if "due_at" in stored and rules.due_moved_later(task["due_at"], stored["due_at"]):
        stored["overdue_at"] = None  # moving the due time later clears the overdue state
    updated = await store.update(conn, task["id"], stored)
    if "due_at" in stored:
        await schedule_deadlines(conn, updated)
    await record_event(conn, "task.updated", updated, {"changed": sorted(changes)})
    return updated


async def transition(conn: asyncpg.Connection, who: Principal, task_id: str, body: dict[str, Any],
                     precondition: Precondition, now: datetime) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    task = await visible_task(conn, actor, task_id, lock=True)  # the row lock: one mover at a time
    precondition(task)
    move = rules.task_move(task["status"], rules.TaskRequest(
        to=body["to"], reason=body.get("reason"), is_assignee=is_assignee(actor, task),
        is_leader=actor.leader_of(place_of(task)), is_verifier=is_verifier(actor, task)))
    updated = await store.move(conn, task["id"], to=move.to, reason=move.reason, at=now, by=actor.person_id)
    by_type, by_id = actor_ref(actor)
    await record_event(conn, "task.status_changed", updated, {
        "from": task["status"], "to": move.to, "rejected": move.rejected,  # the typed reason stays on the task
        "by": {"type": by_type, "id": by_id}})
    if move.to == "verified":
        if updated["points"] > 0 and updated["assignee_type"] == "person":
            await store.credit_points(conn, updated)
        if updated["source"] == "report" and updated["source_id"]:
            await resolve_for_task(conn, updated, now)
    if move.to in ("verified", "cancelled") and updated["source"] == "proposal" and updated["source_id"]:
        linked = await store.of_source(conn, "proposal", updated["source_id"])
        live = [t for t in linked if t["status"] != "cancelled"]
        if live and all(t["status"] == "verified" for t in live):
            await start_evaluation_if_tasks_done(conn, updated["source_id"], updated["street_id"], now)
    return updated


# Progress notes

async def add_update(conn: asyncpg.Connection, who: Principal, task_id: str, fields: dict[str, Any]) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    task = await visible_task(conn, actor, task_id, lock=True)
    ensure_for(actor, is_assignee(actor, task) or actor.leader_of(place_of(task)))
    rules.ensure_changeable(task["status"])
    by_type, by_id = actor_ref(actor)
    row = await store.add_update(conn, task, author_type=by_type, author_id=by_id, note=fields["note"],
                                 photo_urls=fields.get("photo_urls", []))
    await record_event(conn, "task.progress_noted", task, {"update_id": row["id"]})
    return row


async def list_updates(conn: asyncpg.Connection, who: Principal, task_id: str, keyset: Keyset) -> list[asyncpg.Record]:
    task = await visible_task(conn, await actor_for(conn, who), task_id)
    return await store.updates_page(conn, task["id"], keyset)


# Dispatch to many buildings (街道/社区派单)

async def dispatch(conn: asyncpg.Connection, who: Principal, fields: dict[str, Any], *,
                   community_id: str | None) -> tuple[str, list[asyncpg.Record]]:
    """One task per building of the community (or the street), or of the named ones in it.
    Persons: community staff (street officers for the street); platform clients: ``tasks:dispatch``."""
    actor = await actor_for(conn, who)
    street = who.street_id
    if community_id is not None and await communities.get(conn, street, community_id) is None:
        raise NotFound("not_found")
    _may_dispatch(actor, Place(street, community_id=community_id))
    named = fields.pop("building_ids", None)
    targets = await store.buildings_of(conn, street, community_id=community_id,
                                       building_ids=sorted(set(named)) if named else None)
    if not targets or (named and len(targets) != len(set(named))):
        raise RuleViolation("invalid_buildings")
    if len(targets) > MAX_DISPATCH:
        raise RuleViolation("too_many_buildings", {"max": MAX_DISPATCH})
    dispatch_id = new_id("dispatch")
    created = [await insert_task(conn, actor, Place(street, community_id=b["community_id"], building_id=b["id"]),
                                 dict(fields), source="dispatch", source_id=dispatch_id) for b in targets]
    return dispatch_id, created


def _may_dispatch(actor: Actor, place: Place) -> None:
    if actor.is_platform:
        require_scope(actor.principal, "tasks:dispatch")
        return
    allowed = actor.grants.street_officer if place.community_id is None else actor.staff_of(place)
    if not allowed:
        raise Forbidden("not_allowed")
