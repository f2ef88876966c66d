"""Wire types of shared spaces and bookings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from domain.bookings import SpaceRules as DomainRules

# Requests: RFC 3339 with an offset (a naive time is refused by the decoder's tz requirement).
When = Annotated[datetime, Meta(tz=True, examples=["2026-11-23T19:00:00+08:00"])]
Kind = Literal["meeting_room", "lounge", "corridor", "reading_corner", "kitchen", "yard", "other"]
WhoCanBook = Literal["building", "community", "street"]
Status = Literal["pending", "confirmed", "checked_in", "completed", "rejected", "cancelled", "no_show"]
HOUR_RANGE = r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$"
HourRange = Annotated[str, Meta(pattern=HOUR_RANGE, examples=["08:00-22:00"])]
DayHours = Annotated[list[HourRange], Meta(max_length=8)]
TimeZone = Literal["Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "UTC",
                   "Europe/Berlin", "America/New_York"]
SpaceName = text(100, min_length=1, example="1 号楼活动室")
Purpose = text(200, example="业主议事会")
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


def changes_of(data: Input) -> dict[str, Any]:
    """The fields a client sent, as plain values (times stay datetimes)."""
    changes = {}
    for name in data.__struct_fields__:
        value = getattr(data, name)
        if value is UNSET:
            continue
        if name == "opening_hours":
            value = {day: hours for day, hours in msgspec.structs.asdict(value).items() if hours}
        elif name == "closures":
            value = [{"start_at": c.start_at, "end_at": c.end_at, "reason": c.reason} for c in value]
        elif name == "rules":
            value = {k: v for k, v in msgspec.structs.asdict(value).items() if v is not UNSET} if value else None
        changes[name] = value
    return changes


def space_view(row: Any) -> Space:
    rules = DomainRules.from_stored(row["rules"])
    return Space(
        id=row["id"], community_id=row["community_id"], building_id=row["building_id"], name=row["name"],
        kind=row["kind"], capacity=row["capacity"], timezone=row["timezone"],
        opening_hours=dict(row["opening_hours"]),
        closures=[ClosureView(datetime.fromisoformat(c["start_at"]), datetime.fromisoformat(c["end_at"]),
                              c.get("reason", "")) for c in row["closures"]],
        rules=SpaceRules(**rules.to_stored()), created_at=row["created_at"], updated_at=row["updated_at"])


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


class BookingCreate(Input):
    start_at: When
    end_at: When
    attendees: Annotated[int, Meta(ge=1, le=10000, examples=[8])]
    purpose: Purpose = ""
    household_id: id_text("hh_5t7v9x2b4d6f8h1k") | None = None


class SeriesCreate(BookingCreate):
    weekly_count: Annotated[int, Meta(ge=1, le=12, examples=[12])] = 1
    on_conflict: Literal["fail", "skip"] = "fail"


class Booking(msgspec.Struct):
    id: Annotated[str, Meta(examples=["bkg_7k2m9q4x8r1t5v3w"])]
    space_id: str
    household_id: str | None
    organization_id: str | None
    person_id: str | None
    series_id: str | None
    start_at: Stamp
    end_at: Stamp
    purpose: str
    attendees: int
    status: Status
    confirmed_at: Stamp | None
    checked_in_at: Stamp | None
    completed_at: Stamp | None
    rejected_at: Stamp | None
    cancelled_at: Stamp | None
    no_show_at: Stamp | None
    created_at: Stamp
    updated_at: Stamp


def booking_view(row: Any) -> Booking:
    return Booking(**{name: row[name] for name in Booking.__struct_fields__})


class SpaceBooking(msgspec.Struct):
    """A booking as the space's list shows it: leaders see who and why; others only the
    busy range (the other fields are null)."""

    id: str
    start_at: Stamp
    end_at: Stamp
    status: Status
    household_id: str | None
    person_id: str | None
    purpose: str | None
    attendees: int | None


def space_booking_view(row: Any, full: bool) -> SpaceBooking:
    return SpaceBooking(id=row["id"], start_at=row["start_at"], end_at=row["end_at"], status=row["status"],
                        household_id=row["household_id"] if full else None,
                        person_id=row["person_id"] if full else None,
                        purpose=row["purpose"] if full else None, attendees=row["attendees"] if full else None)


class BookingTransition(Input):
    status: Status  # a known status not reachable from here is 409 booking_transition_not_allowed


class SkippedOccurrence(msgspec.Struct):
    start_at: Stamp
    end_at: Stamp
    code: str


class BookingSeries(msgspec.Struct):
    id: str
    created: list[Booking]
    skipped: list[SkippedOccurrence]


class CalendarToken(msgspec.Struct):
    space_id: str
    token: str
    feed_url: str
