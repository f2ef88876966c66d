"""Wire types of the three lists — needs, partner resources, projects — and their views of
domain/lists.py's models."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from api.schemas.tasks import AssigneeRef, Checklist, Points, Priority, Reason, Title, When
from api.schemas.tasks import Description as TaskDescription
from domain import lists as domain

NeedStatus = Literal["open", "matched", "met", "closed"]
NeedCategory = Literal["elderly_care", "children", "environment", "facilities", "safety", "culture", "health",
                       "employment", "other"]
ResourceKind = Literal["venue", "volunteers", "funding", "expertise", "goods"]
ResourceStatus = Literal["available", "withdrawn"]
ProjectStatus = Literal["planned", "active", "completed"]
ListTitle = text(100, min_length=1, example="独居老人助餐")
ListText = text(5000, example="楼里有 6 位独居老人，希望有人每周送两次午餐")
ResourceText = text(5000, min_length=1, example="共建单位食堂每周二、四为独居老人配送午餐")
BuildingRef = id_text("bld_5t7v9x2b4d6f8h1k")
OrganizationRef = id_text("org_5t7v9x2b4d6f8h1k")
Refs = Annotated[list[id_text("ned_5t7v9x2b4d6f8h1k")], Meta(max_length=100)]  # type: ignore[valid-type]
Capacity = Annotated[int, Meta(ge=0, le=1_000_000_000, description=(
    "How much is offered, in the kind's unit: venue — persons it seats; volunteers — persons; "
    "funding — fen; expertise — hours; goods — items."))]
Day = Annotated[date, Meta(examples=["2026-12-01"])]


class Need(msgspec.Struct):
    id: Annotated[str, Meta(examples=["ned_5t7v9x2b4d6f8h1k"])]
    community_id: str
    building_id: str | None
    title: str
    description: str
    category: NeedCategory
    status: NeedStatus
    project_id: str | None
    reason: str | None
    raised_by_me: bool
    created_at: Stamp
    updated_at: Stamp
    matched_at: Stamp | None
    met_at: Stamp | None
    closed_at: Stamp | None


class NeedCreate(Input):
    title: ListTitle  # type: ignore[valid-type]
    category: NeedCategory
    description: ListText = ""  # type: ignore[valid-type]
    building_id: BuildingRef | None = None  # type: ignore[valid-type]


class NeedUpdate(Input):
    title: ListTitle | UnsetType = UNSET  # type: ignore[valid-type]
    description: ListText | UnsetType = UNSET  # type: ignore[valid-type]
    category: NeedCategory | UnsetType = UNSET
    building_id: BuildingRef | None | UnsetType = UNSET  # type: ignore[valid-type]


class NeedTransition(Input):
    to: NeedStatus  # only `closed` is a person's move; the others are the projects'
    reason: Reason | None = None  # type: ignore[valid-type]


class Resource(msgspec.Struct):
    id: Annotated[str, Meta(examples=["res_5t7v9x2b4d6f8h1k"])]
    community_id: str
    organization_id: str
    kind: ResourceKind
    description: str
    capacity: int | None
    available_from: date | None
    available_until: date | None
    status: ResourceStatus
    created_at: Stamp
    updated_at: Stamp


class ResourceCreate(Input):
    organization_id: OrganizationRef  # type: ignore[valid-type]
    kind: ResourceKind
    description: ResourceText  # type: ignore[valid-type]
    capacity: Capacity | None = None
    available_from: Day | None = None
    available_until: Day | None = None


class ResourceUpdate(Input):
    organization_id: OrganizationRef | UnsetType = UNSET  # type: ignore[valid-type]
    kind: ResourceKind | UnsetType = UNSET
    description: ResourceText | UnsetType = UNSET  # type: ignore[valid-type]
    capacity: Capacity | None | UnsetType = UNSET
    available_from: Day | None | UnsetType = UNSET
    available_until: Day | None | UnsetType = UNSET
    status: ResourceStatus | UnsetType = UNSET


class Project(msgspec.Struct):
    id: Annotated[str, Meta(examples=["prj_5t7v9x2b4d6f8h1k"])]
    community_id: str
    title: str
    description: str
    status: ProjectStatus
    building_ids: list[str]
    need_ids: list[str]
    resource_ids: list[str]
    organization_ids: list[str]
    created_at: Stamp
    updated_at: Stamp
    active_at: Stamp | None
    completed_at: Stamp | None


class ProjectCreate(Input):
    title: ListTitle  # type: ignore[valid-type]
    description: ListText = ""  # type: ignore[valid-type]
    building_ids: Refs = []
    need_ids: Refs = []
    resource_ids: Refs = []
    organization_ids: Refs = []


class ProjectUpdate(Input):
    title: ListTitle | UnsetType = UNSET  # type: ignore[valid-type]
    description: ListText | UnsetType = UNSET  # type: ignore[valid-type]
    building_ids: Refs | UnsetType = UNSET
    need_ids: Refs | UnsetType = UNSET
    resource_ids: Refs | UnsetType = UNSET
    organization_ids: Refs | UnsetType = UNSET


class ProjectTransition(Input):
    to: ProjectStatus


class ProjectTasksCreate(Input):
    title: Title  # type: ignore[valid-type]
    description: TaskDescription = ""  # type: ignore[valid-type]
    building_ids: Annotated[list[BuildingRef], Meta(min_length=1, max_length=500)] | None = None  # type: ignore[valid-type]
    assignee: AssigneeRef | None = None
    due_at: When | None = None
    priority: Priority = "normal"
    checklist: Checklist = []
    points: Points = 0


class ProjectTasks(msgspec.Struct):
    project_id: str
    count: int
    task_ids: list[str]


def need_view(need: domain.Need, me: str | None) -> Need:
    return Need(
        id=need.id, community_id=need.community_id, building_id=need.building_id, title=need.title,
        description=need.description, category=need.category, status=need.status, project_id=need.project_id,
        reason=need.reason,
        raised_by_me=me is not None and need.raised_by_type == "person" and need.raised_by_id == me,
        created_at=need.created_at, updated_at=need.updated_at, matched_at=need.matched_at, met_at=need.met_at,
        closed_at=need.closed_at)


def resource_view(resource: domain.PartnerResource) -> Resource:
    return Resource(
        id=resource.id, community_id=resource.community_id, organization_id=resource.organization_id,
        kind=resource.kind, description=resource.description, capacity=resource.capacity,
        available_from=resource.available_from, available_until=resource.available_until,
        status=resource.status, created_at=resource.created_at, updated_at=resource.updated_at)


def project_view(project: domain.Project) -> Project:
    return Project(
        id=project.id, community_id=project.community_id, title=project.title, description=project.description,
        status=project.status, building_ids=list(project.building_ids), need_ids=list(project.need_ids),
        resource_ids=list(project.resource_ids), organization_ids=list(project.organization_ids),
        created_at=project.created_at, updated_at=project.updated_at, active_at=project.active_at,
        completed_at=project.completed_at)
