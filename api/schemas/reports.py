"""Wire types of reports and their view of domain/reports.py's model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from api.schemas.media import MediaIds, MediaLink, links
from api.schemas.moderation import Moderation
from api.schemas.tasks import (
    AssigneeRef,
    Checklist,
    Description,
    Photos,
    Points,
    Priority,
    Reason,
    Title,
    When,
)
from domain import reports as domain

ReportStatus = Literal["submitted", "acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate"]
ReportCategory = Literal["safety", "environment", "facilities", "parking", "pets", "neighbour_dispute",
                         "elderly_care", "other"]
Urgency = Literal["normal", "urgent"]
ReportRef = id_text("rpt_5t7v9x2b4d6f8h1k")


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
    media: list[MediaLink]
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
    moderation: Moderation = "none"


class ReportCreate(Input):
    category: ReportCategory
    description: text(2000, min_length=1, example="楼道堆放纸箱，有火灾隐患")  # type: ignore[valid-type]
    location: text(200, example="3 楼楼道") = ""  # type: ignore[valid-type]
    photo_urls: Photos = []
    media_ids: MediaIds = []  # type: ignore[valid-type]
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


def report_view(report: domain.Report, me: str | None, link: Callable[[str], str]) -> Report:
    """``link``: a photo's signed URL (usecases/media.py ``linker``)."""
    feedback = (Feedback(report.feedback_rating or 0, report.feedback_comment or "", report.feedback_at)
                if report.feedback_at else None)
    return Report(
        id=report.id, building_id=report.building_id, community_id=report.community_id,
        category=report.category, description=report.description, location=report.location,
        photo_urls=list(report.photo_urls), media=links(report.media_ids, link), urgency=report.urgency, status=report.status,
        reason=report.reason, duplicate_of=report.duplicate_of, task_id=report.task_id,
        reported_by_me=me is not None and report.reporter_id == me, feedback=feedback,
        created_at=report.created_at, updated_at=report.updated_at, acknowledged_at=report.acknowledged_at,
        in_progress_at=report.in_progress_at, resolved_at=report.resolved_at, closed_at=report.closed_at,
        moderation=report.moderation)
