"""Wire types of tasks, their progress notes and dispatches, and their views of domain/tasks.py's models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from api.schemas.media import MediaIds, MediaLink, links
from domain import tasks as domain
from domain.webhooks import MAX_URL_LENGTH, URL_PATTERN

When = Annotated[datetime, Meta(tz=True, examples=["2026-11-30T18:00:00+08:00"])]
TaskStatus = Literal["open", "in_progress", "done", "verified", "cancelled"]
Source = Literal["proposal", "report", "dispatch", "manual", "campaign", "project"]
Priority = Literal["low", "normal", "high", "urgent"]
Title = text(100, min_length=1, example="更换楼道灯泡")
Description = text(5000, example="3 楼楼道灯不亮")
Reason = text(500, example="验收未通过：2 楼仍不亮")
ItemText = text(200, min_length=1, example="采购灯泡")
PhotoUrl = Annotated[str, Meta(min_length=1, max_length=MAX_URL_LENGTH, pattern=URL_PATTERN,
                               examples=["https://img.example.cn/p/1.jpg"])]
Photos = Annotated[list[PhotoUrl], Meta(max_length=9)]
Points = Annotated[int, Meta(ge=0, le=10000)]
AnyRef = id_text("psn_5t7v9x2b4d6f8h1k")
BuildingRef = id_text("bld_5t7v9x2b4d6f8h1k")
CommunityRef = id_text("com_5t7v9x2b4d6f8h1k")


class AssigneeRef(Input):
    type: Literal["person", "organization"]
    id: AnyRef  # type: ignore[valid-type]


class ChecklistItem(Input):
    text: ItemText  # type: ignore[valid-type]
    done: bool = False


Checklist = Annotated[list[ChecklistItem], Meta(max_length=50)]


class Assignee(msgspec.Struct):
    type: Literal["person", "organization"]
    id: str


class ChecklistEntry(msgspec.Struct):
    text: str
    done: bool


class Escalation(msgspec.Struct):
    level: Literal["community", "street"] | None
    community_at: Stamp | None
    street_at: Stamp | None


class Task(msgspec.Struct):
    id: Annotated[str, Meta(examples=["tsk_5t7v9x2b4d6f8h1k"])]
    building_id: str
    community_id: str
    title: str
    description: str
    source: Source
    source_id: str | None
    assignee: Assignee | None
    due_at: Stamp | None
    priority: Priority
    checklist: list[ChecklistEntry]
    points: int
    status: TaskStatus
    reason: str | None
    overdue: bool
    overdue_at: Stamp | None
    escalation: Escalation
    created_at: Stamp
    updated_at: Stamp
    in_progress_at: Stamp | None
    done_at: Stamp | None
    verified_at: Stamp | None
    cancelled_at: Stamp | None


class TaskCreate(Input):
    title: Title  # type: ignore[valid-type]
    description: Description = ""  # type: ignore[valid-type]
    source: Literal["manual", "proposal"] = "manual"
    source_id: id_text("prp_5t7v9x2b4d6f8h1k") | None = None  # type: ignore[valid-type]
    assignee: AssigneeRef | None = None
    due_at: When | None = None
    priority: Priority = "normal"
    checklist: Checklist = []
    points: Points = 0


class TaskUpdate(Input):
    title: Title | UnsetType = UNSET  # type: ignore[valid-type]
    description: Description | UnsetType = UNSET  # type: ignore[valid-type]
    assignee: AssigneeRef | None | UnsetType = UNSET
    due_at: When | None | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    checklist: Checklist | UnsetType = UNSET
    points: Points | UnsetType = UNSET


class TaskTransition(Input):
    to: TaskStatus  # a known status not reachable from here is the status machine's 409
    reason: Reason | None = None  # type: ignore[valid-type]


class TaskDispatch(Input):
    title: Title  # type: ignore[valid-type]
    description: Description = ""  # type: ignore[valid-type]
    building_ids: Annotated[list[BuildingRef], Meta(min_length=1, max_length=500)] | None = None  # type: ignore[valid-type]
    community_id: CommunityRef | None = None  # type: ignore[valid-type]
    assignee: AssigneeRef | None = None
    due_at: When | None = None
    priority: Priority = "normal"
    checklist: Checklist = []
    points: Points = 0


class Dispatch(msgspec.Struct):
    dispatch_id: Annotated[str, Meta(examples=["dsp_5t7v9x2b4d6f8h1k"])]
    count: int
    task_ids: list[str]


class NoteAuthor(msgspec.Struct):
    type: Literal["person", "client", "system"]
    id: str | None


class ProgressNote(msgspec.Struct):
    id: Annotated[str, Meta(examples=["tup_5t7v9x2b4d6f8h1k"])]
    task_id: str
    note: str
    photo_urls: list[str]
    media: list[MediaLink]
    by: NoteAuthor
    created_at: Stamp
    updated_at: Stamp


class ProgressNoteCreate(Input):
    note: text(2000, min_length=1, example="已采购灯泡，明天安装")  # type: ignore[valid-type]
    photo_urls: Photos = []
    media_ids: MediaIds = []  # type: ignore[valid-type]


def task_view(task: domain.Task) -> Task:
    assignee = Assignee(task.assignee_type, task.assignee_id) if task.assignee_type and task.assignee_id else None
    level = ("street" if task.escalated_street_at else "community" if task.escalated_community_at else None)
    working = task.status in domain.WORKING
    return Task(
        id=task.id, building_id=task.building_id, community_id=task.community_id, title=task.title,
        description=task.description, source=task.source, source_id=task.source_id,
        assignee=assignee, due_at=task.due_at, priority=task.priority,
        checklist=[ChecklistEntry(i["text"], i["done"]) for i in task.checklist], points=task.points,
        status=task.status, reason=task.reason, overdue=working and task.overdue_at is not None,
        overdue_at=task.overdue_at,
        escalation=Escalation(level, task.escalated_community_at, task.escalated_street_at),
        created_at=task.created_at, updated_at=task.updated_at, in_progress_at=task.in_progress_at,
        done_at=task.done_at, verified_at=task.verified_at, cancelled_at=task.cancelled_at)


def note_view(note: domain.ProgressNote, link: Callable[[str], str]) -> ProgressNote:
    """``link``: a photo's signed URL (usecases/media.py ``linker``)."""
    return ProgressNote(id=note.id, task_id=note.task_id, note=note.note, photo_urls=list(note.photo_urls),
                        media=links(note.media_ids, link),
                        by=NoteAuthor(note.author_type, note.author_id), created_at=note.created_at,
                        updated_at=note.updated_at)
