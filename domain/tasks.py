"""Tasks (任务清单): the task as a frozen model, its status machine, who may see, work and
verify it, and the overdue ladder (三级联动).

```
task:   open ─▶ in_progress ─▶ done ─▶ verified
                     ▲           │
                     └─(reject)──┘            open|in_progress|done ─(leader, reason)─▶ cancelled
```
Pure functions: who may ask for which move from which status; the moves the service makes
by itself (overdue, escalation). A refused move raises the error the API answers with: 409
``wrong_task_status``, 403 ``not_allowed``, 422 for a missing reason. Reports, whose linked
task this can be, live in domain/reports.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.errors import Conflict, Forbidden, RuleViolation
from domain.permissions import Actor, Place

TASK_STATUSES = ("open", "in_progress", "done", "verified", "cancelled")
WORKING = ("open", "in_progress")  # past due and in these, a task is overdue and escalates
FINISHED = ("verified", "cancelled")
ESCALATION = {"community": timedelta(days=3), "street": timedelta(days=7)}
LADDER = ("overdue", *ESCALATION)  # the rungs, in the order a task past due climbs them


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    street_id: str
    community_id: str
    building_id: str
    title: str
    description: str
    source: str  # proposal | report | dispatch | manual
    source_id: str | None
    reporter_id: str | None  # for a report's task: the reporter, who verifies it
    assignee_type: str | None  # person | organization
    assignee_id: str | None
    due_at: datetime | None
    priority: str
    checklist: list[dict[str, Any]]
    points: int
    status: str
    reason: str | None
    created_by_type: str
    created_by_id: str | None
    overdue_at: datetime | None
    escalated_community_at: datetime | None
    escalated_street_at: datetime | None
    in_progress_at: datetime | None
    done_at: datetime | None
    verified_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProgressNote:
    """A progress note (进展) on a task, with photos (the table `task_updates`)."""

    id: str
    street_id: str
    task_id: str
    author_type: str  # person | client | system
    author_id: str | None
    note: str
    photo_urls: list[str]
    created_at: datetime
    updated_at: datetime
    media_ids: list[str] = field(default_factory=list)  # uploaded photos (domain/media.py)


# Who sees, works and verifies a task

def place_of(task: Task) -> Place:
    return Place(task.street_id, community_id=task.community_id, building_id=task.building_id)


def assignee_keys(actor: Actor) -> list[str]:
    """The assignee ids whose tasks are the caller's: themself and their organisations."""
    return sorted({*actor.grants.organizations, *([actor.person_id] if actor.person_id else [])})


def is_assignee(actor: Actor, task: Task) -> bool:
    """The assigned person, or any member of the assigned organisation."""
    if task.assignee_type == "person":
        return actor.person_id is not None and task.assignee_id == actor.person_id
    return task.assignee_type == "organization" and task.assignee_id in actor.grants.organizations


def is_verifier(actor: Actor, task: Task) -> bool:
    """A leader of the task's building, or — for a report's task — the reporter."""
    reporter = task.source == "report" and actor.person_id is not None and task.reporter_id == actor.person_id
    return reporter or actor.leader_of(place_of(task))


def may_see(actor: Actor, task: Task) -> bool:
    return actor.sees(place_of(task)) or is_assignee(actor, task) or is_verifier(actor, task)


def all_linked_verified(statuses: Iterable[str]) -> bool:
    """The tasks linked to a proposal are all done with: every one not cancelled is verified
    (and at least one is)."""
    live = [s for s in statuses if s != "cancelled"]
    return bool(live) and all(s == "verified" for s in live)


# The status machine

@dataclass(frozen=True)
class TaskMove:
    to: str
    reason: str | None = None
    rejected: bool = False  # done → in_progress by the verifier


@dataclass(frozen=True)
class TaskRequest:
    """A caller's ``POST /tasks/{id}/transitions`` with what the policy knows of them."""

    to: str
    reason: str | None
    is_assignee: bool
    is_leader: bool
    is_verifier: bool  # a leader, or the reporter of the task's report


def task_move(status: str, request: TaskRequest) -> TaskMove:
    to = request.to
    if to == "in_progress" and status == "done":
        need(request.is_verifier)
        need_reason(request.reason)
        return TaskMove("in_progress", request.reason, rejected=True)
    if to == "in_progress":
        _need_status(status, ("open",))
        need(request.is_assignee)
        return TaskMove(to, request.reason)
    if to == "done":
        _need_status(status, ("in_progress",))
        need(request.is_assignee)
        return TaskMove(to, request.reason)
    if to == "verified":
        _need_status(status, ("done",))
        need(request.is_verifier)
        return TaskMove(to, request.reason)
    if to == "cancelled":
        _need_status(status, ("open", "in_progress", "done"))
        need(request.is_leader)
        need_reason(request.reason)
        return TaskMove(to, request.reason)
    raise Conflict("wrong_task_status", {"status": status, "to": to})


def ensure_changeable(status: str) -> None:
    """A verified or cancelled task is no longer edited."""
    if status in FINISHED:
        raise Conflict("wrong_task_status", {"status": status})


# The overdue ladder: overdue at ``due_at``, escalated to the community 3 days later and to
# the street 7 days later — each rung once, and only while the task is still being worked.

def due_moved_later(old: datetime | None, new: datetime | None) -> bool:
    return old is not None and (new is None or new > old)


def becomes_overdue(status: str, due_at: datetime | None, overdue_at: datetime | None, now: datetime) -> bool:
    """Once: a working task past its due time not yet marked overdue."""
    return status in WORKING and due_at is not None and now >= due_at and overdue_at is None


def escalates(level: str, status: str, due_at: datetime | None, already: datetime | None, now: datetime) -> bool:
    """Once per level: a working task ``ESCALATION[level]`` past due. Reaching done stops it."""
    return status in WORKING and due_at is not None and now >= due_at + ESCALATION[level] and already is None


def rungs_due(task: Task, now: datetime) -> tuple[str, ...]:
    """The rungs of the ladder ``task`` should be stamped with at ``now`` (in ladder order)."""
    due = []
    if becomes_overdue(task.status, task.due_at, task.overdue_at, now):
        due.append("overdue")
    for level in ESCALATION:
        if escalates(level, task.status, task.due_at, escalated_at(task, level), now):
            due.append(level)
    return tuple(due)


def escalated_at(task: Task, level: str) -> datetime | None:
    return task.escalated_community_at if level == "community" else task.escalated_street_at


def _need_status(status: str, allowed: tuple[str, ...]) -> None:
    if status not in allowed:
        raise Conflict("wrong_task_status", {"status": status})


def need(allowed: bool) -> None:
    if not allowed:
        raise Forbidden("not_allowed")


def need_reason(reason: str | None) -> None:
    if not (reason or "").strip():
        raise RuleViolation("transition_reason_required")


EARLIEST, LATEST = datetime(2000, 1, 1).astimezone(), datetime(2100, 1, 1).astimezone()


def check_due(due_at: datetime | None) -> None:
    """Due times outside 2000–2100 are refused (422): the ladder's date arithmetic stays safe."""
    if due_at is not None and not EARLIEST <= due_at <= LATEST:
        raise RuleViolation("invalid_due_at")
