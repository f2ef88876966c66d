"""The due jobs of the overdue ladder (三级联动): a task past its due time is marked overdue at
``due_at`` and escalated to the community at + 3 days and to the street at + 7 days (the
rules in domain/tasks.py). Each job runs in its own transaction on the locked task
(registered in worker/jobs.py HANDLERS)."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import tasks as rules
from domain.jobs import Job
from domain.tasks import Task
from store import tasks as store
from usecases.kernel import record_event, schedule_job

OVERDUE_JOB = "task.overdue"
ESCALATE_JOB = "task.escalate"


class Deadline(msgspec.Struct, kw_only=True):
    """The due time a job was made for: a job whose task's due time has moved does nothing."""

    task_id: str
    due_at: datetime


class Escalation(Deadline, kw_only=True):
    level: str  # a key of domain.tasks.ESCALATION


async def schedule_deadlines(conn: asyncpg.Connection, task: Task) -> None:
    """The three jobs of a due time. Keys name the due time: moving it schedules new jobs, and
    the old ones find the task's due time changed and do nothing."""
    due = task.due_at
    if due is None:
        return
    key = f"{task.id}:{due.timestamp():.0f}"
    await schedule_job(conn, OVERDUE_JOB, due, Deadline(task_id=task.id, due_at=due), street_id=task.street_id,
                       dedupe_key=f"{OVERDUE_JOB}:{key}")
    for level, delay in rules.ESCALATION.items():
        await schedule_job(conn, ESCALATE_JOB, due + delay, Escalation(task_id=task.id, due_at=due, level=level),
                           street_id=task.street_id, dedupe_key=f"{ESCALATE_JOB}:{level}:{key}")


async def _locked(conn: asyncpg.Connection, street_id: str, deadline: Deadline) -> Task | None:
    task = await store.get(conn, street_id, deadline.task_id, lock=True)
    if task is None or task.due_at != deadline.due_at:
        return None  # gone, or its due time moved (the new one has its own jobs)
    return task


async def mark_overdue(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    deadline = msgspec.convert(job.payload, Deadline)
    task = await _locked(conn, job.street_id, deadline)
    if task and "overdue" in rules.rungs_due(task, now):
        await _climb(conn, task, "overdue", now, {})


async def escalate(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    escalation = msgspec.convert(job.payload, Escalation)
    task = await _locked(conn, job.street_id, escalation)
    if task and escalation.level in rules.rungs_due(task, now):
        await _climb(conn, task, escalation.level, now, {"level": escalation.level})


async def _climb(conn: asyncpg.Connection, task: Task, rung: str, now: datetime, data: dict[str, str]) -> None:
    task = await store.stamp(conn, task.id, rung, now)
    assert task.due_at is not None
    await record_event(conn, "task.overdue" if rung == "overdue" else "task.escalated", "task", task,
                       {**data, "due_at": task.due_at.isoformat(), "status": task.status})
