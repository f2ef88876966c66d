"""Wire types of tasks, their progress notes, dispatches and reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from domain.webhooks import MAX_URL_LENGTH, URL_PATTERN

When = Annotated[datetime, Meta(tz=True, examples=["2026-11-30T18:00:00+08:00"])]
TaskStatus = Literal["open", "in_progress", "done", "verified", "cancelled"]
Source = Literal["proposal", "report", "dispatch", "manual"]
Priority = Literal["low", "normal", "high", "urgent"]
ReportStatus = Literal["submitted", "acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate"]
ReportCategory = Literal["safety", "environment", "facilities", "parking", "pets", "neighbour_dispute",
                         "elderly_care", "other"]
Urgency = Literal["normal", "urgent"]
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
ReportRef = id_text("rpt_5t7v9x2b4d6f8h1k")


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
    by: NoteAuthor
    created_at: Stamp
    updated_at: Stamp


class ProgressNoteCreate(Input):
    note: text(2000, min_length=1, example="已采购灯泡，明天安装")  # type: ignore[valid-type]
    photo_urls: Photos = []


class Feedback(msgspec.Struct):
    rating: int
    comment: str
    at: Stamp


class Report(msgspec.Struct):
    id: Annotated[str, Meta(examples=["rpt_5t7v9x2b4d6f8h1k"])]
    building_id: str
    community_id: str
    category: ReportCategory
    description: str
    location: str
    photo_urls: list[str]
    urgency: Urgency
    status: ReportStatus
    reason: str | None
    duplicate_of: str | None
    task_id: str | None
    reported_by_me: bool
    feedback: Feedback | None
    created_at: Stamp
    updated_at: Stamp
    acknowledged_at: Stamp | None
    in_progress_at: Stamp | None
    resolved_at: Stamp | None
    closed_at: Stamp | None


class ReportCreate(Input):
    category: ReportCategory
    description: text(2000, min_length=1, example="楼道堆放纸箱，有火灾隐患")  # type: ignore[valid-type]
    location: text(200, example="3 楼楼道") = ""  # type: ignore[valid-type]
    photo_urls: Photos = []
    urgency: Urgency = "normal"


class ReportTransition(Input):
    to: ReportStatus  # a known status not reachable from here is the status machine's 409
    reason: Reason | None = None  # type: ignore[valid-type]
    duplicate_of: ReportRef | None = None  # type: ignore[valid-type]


class ReportTaskCreate(Input):
    title: Title | UnsetType = UNSET  # type: ignore[valid-type]
    description: Description | UnsetType = UNSET  # type: ignore[valid-type]
    assignee: AssigneeRef | None = None
    due_at: When | None = None
    priority: Priority | UnsetType = UNSET
    checklist: Checklist = []
    points: Points = 0


class FeedbackCreate(Input):
    rating: Annotated[int, Meta(ge=1, le=5)]
    comment: text(1000, example="处理及时，很满意") = ""  # type: ignore[valid-type]


def task_view(row: Any) -> Task:
    assignee = Assignee(row["assignee_type"], row["assignee_id"]) if row["assignee_id"] else None
    level = ("street" if row["escalated_street_at"] else "community" if row["escalated_community_at"] else None)
    working = row["status"] in ("open", "in_progress")
    return Task(
        id=row["id"], building_id=row["building_id"], community_id=row["community_id"], title=row["title"],
        description=row["description"], source=row["source"], source_id=row["source_id"], assignee=assignee,
        due_at=row["due_at"], priority=row["priority"],
        checklist=[ChecklistEntry(i["text"], i["done"]) for i in row["checklist"]], points=row["points"],
        status=row["status"], reason=row["reason"], overdue=working and row["overdue_at"] is not None,
        overdue_at=row["overdue_at"],
        escalation=Escalation(level, row["escalated_community_at"], row["escalated_street_at"]),
        created_at=row["created_at"], updated_at=row["updated_at"], in_progress_at=row["in_progress_at"],
        done_at=row["done_at"], verified_at=row["verified_at"], cancelled_at=row["cancelled_at"])


def note_view(row: Any) -> ProgressNote:
    return ProgressNote(id=row["id"], task_id=row["task_id"], note=row["note"], photo_urls=list(row["photo_urls"]),
                        by=NoteAuthor(row["author_type"], row["author_id"]), created_at=row["created_at"],
                        updated_at=row["updated_at"])


def report_view(row: Any, me: str | None) -> Report:
    feedback = (Feedback(row["feedback_rating"], row["feedback_comment"] or "", row["feedback_at"])
                if row["feedback_at"] else None)
    return Report(
        id=row["id"], building_id=row["building_id"], community_id=row["community_id"], category=row["category"],
        description=row["description"], location=row["location"], photo_urls=list(row["photo_urls"]),
        urgency=row["urgency"], status=row["status"], reason=row["reason"], duplicate_of=row["duplicate_of"],
        task_id=row["task_id"], reported_by_me=me is not None and row["reporter_id"] == me, feedback=feedback,
        created_at=row["created_at"], updated_at=row["updated_at"], acknowledged_at=row["acknowledged_at"],
        in_progress_at=row["in_progress_at"], resolved_at=row["resolved_at"], closed_at=row["closed_at"])


def fields_of(body: msgspec.Struct) -> dict[str, Any]:
    """The fields a body sent, as plain values (nested structs and lists of them as dicts)."""
    return {name: msgspec.to_builtins(value) if isinstance(value, (msgspec.Struct, list)) else value
            for name in body.__struct_fields__ if (value := getattr(body, name)) is not UNSET}
