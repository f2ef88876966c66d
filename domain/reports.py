"""Reports (问题上报, 一线预警): the report as a frozen model, its status machine, who sees it,
and when a resolved report closes by itself.

```
report: submitted ─▶ acknowledged ─▶ in_progress ─▶ resolved ─▶ closed
        submitted|acknowledged ─▶ rejected | duplicate (duplicate_of)
```
A refused move raises the error the API answers with: 409 ``wrong_report_status``, 403
``not_allowed``, 422 for a missing reason or duplicate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.errors import Conflict, RuleViolation
from domain.permissions import Actor, Place
from domain.tasks import need, need_reason

REPORT_STATUSES = ("submitted", "acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate")
TRIAGE = ("submitted", "acknowledged")
REPORT_AUTO_CLOSE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Report:
    id: str
    street_id: str
    community_id: str
    building_id: str
    reporter_id: str
    category: str
    description: str
    location: str
    photo_urls: list[str]
    urgency: str  # normal | urgent
    status: str
    reason: str | None
    duplicate_of: str | None
    task_id: str | None
    feedback_rating: int | None
    feedback_comment: str | None
    feedback_at: datetime | None
    acknowledged_at: datetime | None
    in_progress_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    media_ids: list[str] = field(default_factory=list)  # uploaded photos (domain/media.py)
    moderation: str = "none"  # content safety: domain/moderation.py


def place_of(report: Report) -> Place:
    return Place(report.street_id, community_id=report.community_id, building_id=report.building_id)


def is_reporter(actor: Actor, report: Report) -> bool:
    return actor.person_id is not None and report.reporter_id == actor.person_id


def may_see(actor: Actor, report: Report) -> bool:
    """The reporter and the building's leaders (reports may name neighbours: not public)."""
    return is_reporter(actor, report) or actor.leader_of(place_of(report), write=False)


@dataclass(frozen=True)
class ReportRequest:
    to: str
    reason: str | None
    duplicate_of: str | None
    is_leader: bool


def report_move(status: str, request: ReportRequest) -> str:
    to = request.to
    need(request.is_leader)
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
        need_reason(request.reason)
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


def task_defaults(report: Report) -> tuple[str, str, str]:
    """The title, description and priority of a report's task, unless the leader names them:
    the category and the start of the text; urgent reports make urgent tasks."""
    title = f"[{report.category}] {report.description[:80]}"
    return title, report.description, "urgent" if report.urgency == "urgent" else "normal"
