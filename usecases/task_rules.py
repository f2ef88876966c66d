"""What every task use case shares: who sees and works a task, making one (with its deadline
jobs), recording its events; and the due-job handlers of the overdue ladder (三级联动):
overdue at ``due_at``, escalation to the community at + 3 days and to the street at + 7 days."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain import tasks as rules
from domain.errors import NotFound, RuleViolation
from domain.permissions import Actor, Place
from store import jobs, organizations
from store import tasks as store
from store.events import Subject, append_event
from usecases.kernel import actor_ref

OVERDUE_JOB = "task.overdue"
ESCALATE_JOB = "task.escalate"
_LEVEL_COLUMN = {"community": "escalated_community_at", "street": "escalated_street_at"}


def place_of(task: asyncpg.Record) -> Place:
    return Place(task["street_id"], community_id=task["community_id"], building_id=task["building_id"])


def assignee_keys(actor: Actor) -> list[str]:
    """The assignee ids whose tasks are the caller's: themself and their organisations."""
    return sorted({*actor.grants.organizations, *([actor.person_id] if actor.person_id else [])})


def is_assignee(actor: Actor, task: asyncpg.Record) -> bool:
    if task["assignee_type"] == "person":
        return actor.person_id is not None and task["assignee_id"] == actor.person_id
    return task["assignee_type"] == "organization" and task["assignee_id"] in actor.grants.organizations


def is_verifier(actor: Actor, task: asyncpg.Record) -> bool:
    reporter = task["source"] == "report" and actor.person_id is not None and task["reporter_id"] == actor.person_id
    return reporter or actor.leader_of(place_of(task))


def may_see(actor: Actor, task: asyncpg.Record) -> bool:
    return actor.sees(place_of(task)) or is_assignee(actor, task) or is_verifier(actor, task)


async def visible_task(conn: asyncpg.Connection, actor: Actor, task_id: str, *, lock: bool = False) -> asyncpg.Record:
    task = await store.get(conn, actor.principal.street_id, task_id, lock=lock)
    if task is None or not may_see(actor, task):
        raise NotFound("not_found")
    return task


async def record_event(conn: asyncpg.Connection, type: str, task: asyncpg.Record, data: dict[str, Any]) -> None:
    await append_event(conn, type=type, street_id=task["street_id"], subject=Subject("task", task["id"]),
                       community_id=task["community_id"], building_id=task["building_id"],
                       data={"task_id": task["id"], **data})


async def check_assignee(conn: asyncpg.Connection, street_id: str, assignee: dict[str, Any] | None) -> None:
    """422 ``invalid_assignee`` unless the person exists or the organisation is of the street."""
    if assignee is None:
        return
    if assignee["type"] == "person":
        found = await store.person_exists(conn, assignee["id"])
    else:
        found = await organizations.get(conn, street_id, assignee["id"]) is not None
    if not found:
        raise RuleViolation("invalid_assignee")


def stored_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Request fields → columns (the assignee object as two columns)."""
    stored = dict(fields)
    if "assignee" in stored:
        assignee = stored.pop("assignee")
        stored["assignee_type"] = assignee["type"] if assignee else None
        stored["assignee_id"] = assignee["id"] if assignee else None
    return stored


async def insert_task(conn: asyncpg.Connection, actor: Actor | None, place: Place, fields: dict[str, Any], *,
                      source: str, source_id: str | None, reporter_id: str | None = None) -> asyncpg.Record:
    await check_assignee(conn, place.street_id, fields.get("assignee"))
    by_type, by_id = actor_ref(actor)
    stored = stored_fields(fields)
    stored.setdefault("priority", "normal")
    stored.setdefault("checklist", [])
    stored.setdefault("points", 0)
    task = await store.insert(conn, {**stored, "street_id": place.street_id, "community_id": place.community_id,
                                     "building_id": place.building_id, "source": source, "source_id": source_id,
                                     "reporter_id": reporter_id, "created_by_type": by_type,
                                     "created_by_id": by_id})
    await record_event(conn, "task.created", task, {
        "source": source, "source_id": source_id, "priority": task["priority"],
        "assignee": {"type": task["assignee_type"], "id": task["assignee_id"]} if task["assignee_id"] else None,
        "due_at": task["due_at"].isoformat() if task["due_at"] else None})
    await schedule_deadlines(conn, task)
    return task


async def schedule_deadlines(conn: asyncpg.Connection, task: asyncpg.Record) -> None:
    """The three jobs of a due time. Keys name the due time: moving it schedules new jobs, and
    the old ones find the task's due time changed and do nothing."""
    due = task["due_at"]
    if due is None:
        return
    payload = {"task_id": task["id"], "due_at": due.isoformat()}
    key = f"{task['id']}:{due.timestamp():.0f}"
    await jobs.schedule(conn, kind=OVERDUE_JOB, run_at=due, street_id=task["street_id"], payload=payload,
                        dedupe_key=f"{OVERDUE_JOB}:{key}")
    for level, delay in rules.ESCALATION.items():
        await jobs.schedule(conn, kind=ESCALATE_JOB, run_at=due + delay, street_id=task["street_id"],
                            payload={**payload, "level": level}, dedupe_key=f"{ESCALATE_JOB}:{level}:{key}")


# Due jobs (worker/jobs.py HANDLERS): each runs in its job's transaction on the locked task.

async def _locked(conn: asyncpg.Connection, job: asyncpg.Record) -> asyncpg.Record | None:
    task = await store.get(conn, job["street_id"], job["payload"]["task_id"], lock=True)
    if task is None or task["due_at"] != datetime.fromisoformat(job["payload"]["due_at"]):
        return None  # gone, or its due time moved (the new one has its own jobs)
    return task


async def mark_overdue(conn: asyncpg.Connection, job: asyncpg.Record, now: datetime) -> None:
    task = await _locked(conn, job)
    if task and rules.becomes_overdue(task["status"], task["due_at"], task["overdue_at"], now):
        task = await store.stamp(conn, task["id"], "overdue_at", now)
        await record_event(conn, "task.overdue", task, {"due_at": task["due_at"].isoformat(),
                                                        "status": task["status"]})


async def escalate(conn: asyncpg.Connection, job: asyncpg.Record, now: datetime) -> None:
    task = await _locked(conn, job)
    level = job["payload"]["level"]
    column = _LEVEL_COLUMN[level]
    if task and rules.escalates(level, task["status"], task["due_at"], task[column], now):
        task = await store.stamp(conn, task["id"], column, now)
        await record_event(conn, "task.escalated", task, {"level": level, "due_at": task["due_at"].isoformat(),
                                                          "status": task["status"]})
