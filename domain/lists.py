"""The three lists of a community (需求 · 资源 · 项目清单): needs raised by residents or
leaders, resources offered by partner organisations, and projects that match the two.

```
need:    open ─(a project takes it)─▶ matched ─(its project completes)─▶ met
         open ─(its raiser or a leader)─▶ closed
         matched ─(its project lets it go)─▶ open
project: planned ─▶ active ─▶ completed   (community staff; completing meets its needs)
```
A refused move raises the error the API answers with: 409 ``wrong_need_status`` /
``wrong_project_status``, 422 ``transition_reason_required``, 422 ``invalid_dates``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from domain.errors import Conflict, Forbidden, RuleViolation
from domain.permissions import Place

NEED_STATUSES = ("open", "matched", "met", "closed")
NEED_CATEGORIES = ("elderly_care", "children", "environment", "facilities", "safety", "culture", "health",
                   "employment", "other")
RESOURCE_KINDS = ("venue", "volunteers", "funding", "expertise", "goods")
RESOURCE_STATUSES = ("available", "withdrawn")
PROJECT_STATUSES = ("planned", "active", "completed")
# What the service moves, never a person through the transitions route.
_NEED_BY_PROJECT = {("open", "matched"), ("matched", "met"), ("matched", "open")}


@dataclass(frozen=True, slots=True)
class Need:
    id: str
    street_id: str
    community_id: str
    building_id: str | None
    raised_by_type: str  # person | client
    raised_by_id: str
    title: str
    description: str
    category: str
    status: str
    project_id: str | None
    reason: str | None
    matched_at: datetime | None
    met_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PartnerResource:
    id: str
    street_id: str
    community_id: str
    organization_id: str
    kind: str
    description: str
    capacity: int | None
    available_from: date | None
    available_until: date | None
    status: str
    created_by_type: str
    created_by_id: str
    created_at: datetime
    updated_at: datetime

    @property
    def building_id(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    street_id: str
    community_id: str
    title: str
    description: str
    building_ids: list[str]
    resource_ids: list[str]
    organization_ids: list[str]
    status: str
    created_by_type: str
    created_by_id: str | None
    active_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    need_ids: list[str] = field(default_factory=list)  # the needs it took (needs.project_id)

    @property
    def building_id(self) -> None:
        return None


def place_of_need(need: Need) -> Place:
    return Place(need.street_id, community_id=need.community_id, building_id=need.building_id)


def community_place(street_id: str, community_id: str) -> Place:
    return Place(street_id, community_id=community_id)


# Needs

@dataclass(frozen=True)
class NeedRequest:
    """A person's move of a need: only ``closed`` is theirs to make."""

    to: str
    reason: str | None
    is_raiser: bool
    is_leader: bool


def need_move(status: str, request: NeedRequest) -> str:
    """The raiser closes their open need; a leader of its place closes an open need (with a
    reason when it is not theirs). ``matched`` and ``met`` are the projects' to set."""
    if not (request.is_raiser or request.is_leader):
        raise Forbidden("not_allowed")
    if request.to != "closed" or status != "open":
        raise Conflict("wrong_need_status", {"status": status, "to": request.to})
    if not request.is_raiser and not (request.reason or "").strip():
        raise RuleViolation("transition_reason_required")
    return "closed"


def need_moved_by_project(status: str, to: str) -> bool:
    """Whether a project may move a need from ``status`` to ``to``."""
    return (status, to) in _NEED_BY_PROJECT


def may_change_need(status: str, *, is_raiser: bool, is_leader: bool) -> bool:
    """Its raiser changes an open need; its leaders change it until it is met or closed."""
    if status == "open":
        return is_raiser or is_leader
    return status == "matched" and is_leader


def ensure_need_changeable(status: str) -> None:
    if status not in ("open", "matched"):
        raise Conflict("wrong_need_status", {"status": status})


# Projects

def project_move(status: str, to: str) -> str:
    """planned → active → completed, one step at a time."""
    if (status, to) not in (("planned", "active"), ("active", "completed")):
        raise Conflict("wrong_project_status", {"status": status, "to": to})
    return to


def ensure_project_open(status: str) -> None:
    """A completed project changes no more (its links, its text, its tasks)."""
    if status == "completed":
        raise Conflict("wrong_project_status", {"status": status})


def need_changes(before: list[str], after: list[str]) -> tuple[list[str], list[str]]:
    """The needs a project's new list takes on and lets go of (each sorted)."""
    return sorted(set(after) - set(before)), sorted(set(before) - set(after))


# Resources

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # the dates the service accepts


def check_dates(starts: date | None, ends: date | None) -> None:
    """A range of dates within 2000–2100 ends on or after the day it starts (both inclusive)."""
    if any(d is not None and not EARLIEST <= d <= LATEST for d in (starts, ends)):
        raise RuleViolation("invalid_dates")
    if starts is not None and ends is not None and ends < starts:
        raise RuleViolation("invalid_dates")
