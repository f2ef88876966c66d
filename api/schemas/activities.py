"""Wire types of activities, sign-ups and check-ins, and their views of domain/activities.py's
models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.conventions.validation_messages import described
from api.schemas.common import Stamp, id_text, text
from domain import activities as domain

Title = text(100, min_length=1, example="重阳节敬老茶话会")
Description = text(4000, example="为楼里 70 岁以上的老人送上重阳糕，欢迎志愿者报名帮忙")
Location = text(200, example="社区活动室（3 号楼底楼）")
Category = Literal["culture", "sports", "volunteering", "elderly_care", "children", "festival", "safety", "other"]
Capacity = Annotated[int, Meta(ge=1, le=100_000, examples=[30])]
Minutes = Annotated[int, Meta(ge=0, le=7 * 24 * 60, examples=[120])]
Points = Annotated[int, Meta(ge=0, le=1_000_000, examples=[10])]
Companions = Annotated[int, Meta(ge=0, le=domain.MAX_COMPANIONS, examples=[1],
                                 description="People coming along (they take seats, earn no points)")]
SpaceRef = id_text("spc_5t7v9x2b4d6f8h1k")
SignupRef = id_text("asu_5t7v9x2b4d6f8h1k")
MONTH_PATTERN = described(r"^2\d{3}-(0[1-9]|1[0-2])$", "年月，形如 2026-12", "a month such as 2026-12")
Token = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z]+$", examples=["7KQ2M9XA4D6F8H1K"])]
When = Annotated[datetime, Meta(tz=True, examples=["2026-12-12T14:00:00+08:00"])]
ActivityStatus = Literal["draft", "published", "finished", "cancelled"]
SignupStatus = Literal["confirmed", "waitlisted", "cancelled"]


class Organizer(msgspec.Struct):
    type: Literal["person", "organization"]
    id: Annotated[str, Meta(min_length=1, max_length=64, examples=["psn_5t7v9x2b4d6f8h1k"])]


class Activity(msgspec.Struct):
    id: Annotated[str, Meta(examples=["act_5t7v9x2b4d6f8h1k"])]
    community_id: str
    building_id: Annotated[str | None, Meta(description="None: the community's activity")]
    title: str
    description: str
    category: Category
    starts_at: Stamp
    ends_at: Stamp
    location: str
    space_id: str | None
    booking_id: Annotated[str | None, Meta(description="The space's booking, made when published")]
    capacity: Annotated[int | None, Meta(description="Seats; None: unlimited")]
    seats_taken: Annotated[int, Meta(description="Seats of the confirmed sign-ups (companions included)")]
    signup_opens_at: Stamp | None
    signup_closes_at: Annotated[Stamp | None, Meta(description="None: sign-ups close at starts_at")]
    cancel_before_minutes: int
    points_per_attendee: int
    organizer: Organizer
    status: ActivityStatus
    cancel_reason: str | None
    published_at: Stamp | None
    finished_at: Stamp | None
    cancelled_at: Stamp | None
    created_at: Stamp
    updated_at: Stamp


class ActivityCreate(Input):
    title: Title  # type: ignore[valid-type]
    category: Category
    starts_at: When
    ends_at: When
    description: Description = ""  # type: ignore[valid-type]
    location: Location = ""  # type: ignore[valid-type]
    space_id: SpaceRef | None = None  # type: ignore[valid-type]
    capacity: Capacity | None = None
    signup_opens_at: When | None = None
    signup_closes_at: When | None = None
    cancel_before_minutes: Minutes = 0
    points_per_attendee: Points = 0
    organizer: Organizer | None = None


class ActivityUpdate(Input):
    title: Title | UnsetType = UNSET  # type: ignore[valid-type]
    description: Description | UnsetType = UNSET  # type: ignore[valid-type]
    category: Category | UnsetType = UNSET
    starts_at: When | UnsetType = UNSET
    ends_at: When | UnsetType = UNSET
    location: Location | UnsetType = UNSET  # type: ignore[valid-type]
    space_id: SpaceRef | None | UnsetType = UNSET  # type: ignore[valid-type]
    capacity: Capacity | None | UnsetType = UNSET
    signup_opens_at: When | None | UnsetType = UNSET
    signup_closes_at: When | None | UnsetType = UNSET
    cancel_before_minutes: Minutes | UnsetType = UNSET
    points_per_attendee: Points | UnsetType = UNSET
    organizer: Organizer | UnsetType = UNSET


class ActivityTransition(Input):
    to: Literal["published", "cancelled"]
    reason: text(500, example="天气预报有大雨，活动取消") | None = None  # type: ignore[valid-type]


class Signup(msgspec.Struct):
    id: Annotated[str, Meta(examples=["asu_5t7v9x2b4d6f8h1k"])]
    activity_id: str
    person_id: Annotated[str | None, Meta(description="None once the person erased their data")]
    companions: int
    seats: int
    status: SignupStatus
    position: Annotated[int | None, Meta(description="Place on the waiting list (1 = next); None otherwise")]
    confirmed_at: Stamp | None
    promoted_at: Stamp | None
    cancelled_at: Stamp | None
    attended_at: Stamp | None
    created_at: Stamp
    updated_at: Stamp


class MyActivity(msgspec.Struct):
    """One of my sign-ups, with its activity."""

    signup: Signup
    activity: Activity


class SignupCreate(Input):
    companions: Companions = 0


class AttendanceCreate(Input):
    signup_id: SignupRef  # type: ignore[valid-type]


class CheckinCreate(Input):
    token: Token


class CheckinToken(msgspec.Struct):
    token: Annotated[str, Meta(description="Show it as a QR code (≤ 32 characters, fits a mini-program code's scene)",
                               examples=["7KQ2M9XA4D6F8H1K"])]
    rotates_at: Annotated[Stamp, Meta(description="A new token from then on; this one is accepted 60 s longer")]


def activity_view(activity: domain.Activity) -> Activity:
    return Activity(
        id=activity.id, community_id=activity.community_id, building_id=activity.building_id, title=activity.title,
        description=activity.description, category=activity.category,  # type: ignore[arg-type]
        starts_at=activity.starts_at, ends_at=activity.ends_at, location=activity.location,
        space_id=activity.space_id, booking_id=activity.booking_id, capacity=activity.capacity,
        seats_taken=activity.seats_taken, signup_opens_at=activity.signup_opens_at,
        signup_closes_at=activity.signup_closes_at, cancel_before_minutes=activity.cancel_before_minutes,
        points_per_attendee=activity.points_per_attendee,
        organizer=Organizer(type=activity.organizer_type, id=activity.organizer_id),  # type: ignore[arg-type]
        status=activity.status, cancel_reason=activity.cancel_reason,  # type: ignore[arg-type]
        published_at=activity.published_at, finished_at=activity.finished_at, cancelled_at=activity.cancelled_at,
        created_at=activity.created_at, updated_at=activity.updated_at)


def signup_view(signup: domain.Signup) -> Signup:
    return Signup(
        id=signup.id, activity_id=signup.activity_id, person_id=signup.person_id, companions=signup.companions,
        seats=signup.seats, status=signup.status, position=signup.position,  # type: ignore[arg-type]
        confirmed_at=signup.confirmed_at, promoted_at=signup.promoted_at, cancelled_at=signup.cancelled_at,
        attended_at=signup.attended_at, created_at=signup.created_at, updated_at=signup.updated_at)


def my_activity_view(item: tuple[domain.Signup, domain.Activity]) -> MyActivity:
    return MyActivity(signup=signup_view(item[0]), activity=activity_view(item[1]))
