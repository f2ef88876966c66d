"""Tasks (任务清单) and reports (问题上报) as two status machines, and the overdue ladder.

```
task:   open ─▶ in_progress ─▶ done ─▶ verified
                     ▲           │
                     └─(reject)──┘            open|in_progress|done ─(leader, reason)─▶ cancelled
report: submitted ─▶ acknowledged ─▶ in_progress ─▶ resolved ─▶ closed
        submitted|acknowledged ─▶ rejected | duplicate (duplicate_of)
```
Pure functions: who may ask for which move from which status; the moves the service makes
by itself (overdue, escalation, closing a resolved report). A refused move raises the error
the API answers with: 409 ``wrong_task_status``/``wrong_report_status``, 403 ``not_allowed``,
422 for a missing reason or duplicate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import Conflict, Forbidden, RuleViolation

TASK_STATUSES = ("open", "in_progress", "done", "verified", "cancelled")
WORKING = ("open", "in_progress")  # past due and in these, a task is overdue and escalates
FINISHED = ("verified", "cancelled")
REPORT_STATUSES = ("submitted", "acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate")
TRIAGE = ("submitted", "acknowledged")
ESCALATION = {"community": timedelta(days=3), "street": timedelta(days=7)}
REPORT_AUTO_CLOSE = timedelta(days=7)


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
        _need(request.is_verifier)
        _reason(request.reason)
        return TaskMove("in_progress", request.reason, rejected=True)
    if to == "in_progress":
        _need_status(status, ("open",))
        _need(request.is_assignee)
        return TaskMove(to, request.reason)
    if to == "done":
        _need_status(status, ("in_progress",))
        _need(request.is_assignee)
        return TaskMove(to, request.reason)
    if to == "verified":
        _need_status(status, ("done",))
        _need(request.is_verifier)
        return TaskMove(to, request.reason)
    if to == "cancelled":
        _need_status(status, ("open", "in_progress", "done"))
        _need(request.is_leader)
        _reason(request.reason)
        return TaskMove(to, request.reason)
    raise Conflict("wrong_task_status", {"status": status, "to": to})


def ensure_changeable(status: str) -> None:
    """A verified or cancelled task is no longer edited."""
    if status in FINISHED:
        raise Conflict("wrong_task_status", {"status": status})


def due_moved_later(old: datetime | None, new: datetime | None) -> bool:
    return old is not None and (new is None or new > old)


def becomes_overdue(status: str, due_at: datetime | None, overdue_at: datetime | None, now: datetime) -> bool:
    """Once: a working task past its due time not yet marked overdue."""
    return status in WORKING and due_at is not None and now >= due_at and overdue_at is None


def escalates(level: str, status: str, due_at: datetime | None, already: datetime | None, now: datetime) -> bool:
    """Once per level: a working task ``ESCALATION[level]`` past due. Reaching done stops it."""
    return status in WORKING and due_at is not None and now >= due_at + ESCALATION[level] and already is None


# Reports

@dataclass(frozen=True)
class ReportRequest:
    to: str
    reason: str | None
    duplicate_of: str | None
    is_leader: bool


def report_move(status: str, request: ReportRequest) -> str:
    to = request.to
    _need(request.is_leader)
    if to in ("acknowledged",):
        _report_status(status, ("submitted",))
    elif to == "in_progress":
        _report_status(status, TRIAGE)
    elif to == "resolved":
        _report_status(status, ("in_progress",))
    elif to == "closed":
        _report_status(status, ("resolved",))
    elif to == "rejected":
        _report_status(status, TRIAGE)
        _reason(request.reason)
    elif to == "duplicate":
        _report_status(status, TRIAGE)
        if not request.duplicate_of:
            raise RuleViolation("duplicate_of_required")
    else:
        raise Conflict("wrong_report_status", {"status": status, "to": to})
    return to


def ensure_report_status(status: str, *allowed: str) -> None:
    _report_status(status, allowed)


def report_auto_closes(status: str, resolved_at: datetime | None, now: datetime) -> bool:
    return status == "resolved" and resolved_at is not None and now >= resolved_at + REPORT_AUTO_CLOSE


def _report_status(status: str, allowed: tuple[str, ...]) -> None:
    if status not in allowed:
        raise Conflict("wrong_report_status", {"status": status})


def _need_status(status: str, allowed: tuple[str, ...]) -> None:
    if status not in allowed:
        raise Conflict("wrong_task_status", {"status": status})


def _need(allowed: bool) -> None:
    if not allowed:
        raise Forbidden("not_allowed")


def _reason(reason: str | None) -> None:
    if not (reason or "").strip():
        raise RuleViolation("transition_reason_required")


EARLIEST, LATEST = datetime(2000, 1, 1).astimezone(), datetime(2100, 1, 1).astimezone()


def check_due(due_at: datetime | None) -> None:
    """Due times outside 2000–2100 are refused (422): the ladder's date arithmetic stays safe."""
    if due_at is not None and not EARLIEST <= due_at <= LATEST:
        raise RuleViolation("invalid_due_at")
