"""Wire types of shared spaces (their bookings' are in api/schemas/bookings.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.conventions.validation_messages import described
from api.schemas.common import Stamp, command_of, id_text, text
from domain.spaces import Space as DomainSpace
from usecases.spaces import NewSpace, SpaceChange

# Requests: RFC 3339 with an offset (a naive time is refused by the decoder's tz requirement).
When = Annotated[datetime, Meta(tz=True, examples=["2026-11-23T19:00:00+08:00"])]
Kind = Literal["meeting_room", "lounge", "corridor", "reading_corner", "kitchen", "yard", "other"]
WhoCanBook = Literal["building", "community", "street"]
HOUR_RANGE = described(r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$",
                       "一天中的时间段，例如 08:00-22:00", "a range of the day such as 08:00-22:00")
HourRange = Annotated[str, Meta(pattern=HOUR_RANGE, examples=["08:00-22:00"])]
DayHours = Annotated[list[HourRange], Meta(max_length=8)]
TimeZone = Literal["Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "UTC",
                   "Europe/Berlin", "America/New_York"]
SpaceName = text(100, min_length=1, example="1 号楼活动室")
OrgId = id_text("org_7k2m9q4x8r1t5v3w")


class OpeningHours(Input):
    """Per weekday, wall-clock ranges in the space's time zone; a missing day is closed."""

    mon: DayHours = []
    tue: DayHours = []
    wed: DayHours = []
    thu: DayHours = []
    fri: DayHours = []
    sat: DayHours = []
    sun: DayHours = []


class Closure(Input):
    start_at: When
    end_at: When
    reason: text(200, example="春节") = ""


class ClosureView(msgspec.Struct):
    start_at: Stamp
    end_at: Stamp
    reason: str


class SpaceRules(msgspec.Struct):
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    book_ahead_max_days: int
    book_ahead_min_minutes: int
    cancel_before_minutes: int
    weekly_quota_minutes: int | None
    requires_approval: bool
    who_can_book: WhoCanBook
    partner_organization_ids: list[str]


class SpaceRulesChange(Input):
    slot_minutes: Literal[5, 10, 15, 20, 30, 60] | UnsetType = UNSET
    min_minutes: Annotated[int, Meta(ge=5, le=1440)] | UnsetType = UNSET
    max_minutes: Annotated[int, Meta(ge=5, le=1440)] | UnsetType = UNSET
    book_ahead_max_days: Annotated[int, Meta(ge=1, le=365)] | UnsetType = UNSET
    book_ahead_min_minutes: Annotated[int, Meta(ge=0, le=10080)] | UnsetType = UNSET
    cancel_before_minutes: Annotated[int, Meta(ge=0, le=10080)] | UnsetType = UNSET
    weekly_quota_minutes: Annotated[int, Meta(ge=0, le=10080)] | None | UnsetType = UNSET
    requires_approval: bool | UnsetType = UNSET
    who_can_book: WhoCanBook | UnsetType = UNSET
    partner_organization_ids: Annotated[list[OrgId], Meta(max_length=20)] | UnsetType = UNSET


class Space(msgspec.Struct):
    id: Annotated[str, Meta(examples=["spc_7k2m9q4x8r1t5v3w"])]
    community_id: str
    building_id: str | None
    name: str
    kind: Kind
    capacity: int
    timezone: str
    opening_hours: dict[str, list[str]]
    closures: list[ClosureView]
    rules: SpaceRules
    created_at: Stamp
    updated_at: Stamp


Capacity = Annotated[int, Meta(ge=1, le=10000, examples=[20])]


class SpaceCreate(Input):
    name: SpaceName
    kind: Kind
    capacity: Capacity
    timezone: TimeZone = "Asia/Shanghai"
    opening_hours: OpeningHours | UnsetType = UNSET
    closures: Annotated[list[Closure], Meta(max_length=100)] = []
    rules: SpaceRulesChange | None = None


class SpaceUpdate(Input):
    name: SpaceName | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    capacity: Capacity | UnsetType = UNSET
    timezone: TimeZone | UnsetType = UNSET
    opening_hours: OpeningHours | UnsetType = UNSET
    closures: Annotated[list[Closure], Meta(max_length=100)] | UnsetType = UNSET
    rules: SpaceRulesChange | UnsetType = UNSET


def new_space(body: SpaceCreate) -> NewSpace:
    return command_of(body, NewSpace)


def space_change(body: SpaceUpdate) -> SpaceChange:
    return command_of(body, SpaceChange)


def space_view(space: DomainSpace) -> Space:
    return Space(
        id=space.id, community_id=space.community_id, building_id=space.building_id, name=space.name,
        kind=space.kind, capacity=space.capacity, timezone=space.timezone,
        opening_hours={day: list(hours) for day, hours in space.opening_hours.items()},
        closures=[ClosureView(c.start_at, c.end_at, c.reason) for c in space.closures],
        rules=SpaceRules(**space.rules.to_stored()), created_at=space.created_at, updated_at=space.updated_at)


class FreeRange(msgspec.Struct):
    start_at: Stamp
    end_at: Stamp


class Availability(msgspec.Struct):
    space_id: str
    timezone: str
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    free: list[FreeRange]


class CalendarToken(msgspec.Struct):
    space_id: str
    token: str
    feed_url: str
