"""Wire types of a street's settings and of points (the person's account, its transfers,
leaders' awards, the leaderboard), and their views of the models."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from domain import points as domain
from domain.ledger import Entry
from domain.people import display_name
from usecases.points import Points

PointsExpiry = Literal["none", "calendar_year"]
Reason = Literal["task_verified", "activity_attended", "volunteer_hours", "award", "campaign_prize", "redemption",
                 "expiry", "erasure", "correction"]
TransferStatus = Literal["pending", "posted", "voided"]
Period = Literal["month", "year", "all"]
Tag = text(20, min_length=1, example="书法")
Note = text(500, example="清扫楼道志愿服务 2 小时")
PersonRef = id_text("psn_5t7v9x2b4d6f8h1k")
GraceDays = Annotated[int, Meta(ge=0, le=365, examples=[30])]
Cap = Annotated[int, Meta(ge=0, le=1_000_000, examples=[100])]
Days = Annotated[int, Meta(ge=0, le=90, examples=[3])]
Fen = Annotated[int, Meta(ge=0, le=10**13, examples=[500000])]
AwardAmount = Annotated[int, Meta(ge=1, le=10000, examples=[20])]


class StreetSettings(msgspec.Struct):
    points_expiry: PointsExpiry
    points_expiry_grace_days: int
    award_cap_per_leader_per_day: Annotated[int, Meta(description="Most points one leader awards in a day "
                                                                   "(the street's time zone)")]
    max_points_per_attendee: int
    fund_two_approvers: bool
    fund_street_signoff_above_fen: int | None
    fund_publicity_days: int
    extra_talent_tags: list[str]
    updated_at: Stamp


class StreetSettingsUpdate(Input):
    points_expiry: PointsExpiry | UnsetType = UNSET
    points_expiry_grace_days: GraceDays | UnsetType = UNSET
    award_cap_per_leader_per_day: Cap | UnsetType = UNSET
    max_points_per_attendee: Cap | UnsetType = UNSET
    fund_two_approvers: bool | UnsetType = UNSET
    fund_street_signoff_above_fen: Fen | None | UnsetType = UNSET
    fund_publicity_days: Days | UnsetType = UNSET
    extra_talent_tags: Annotated[list[Tag], Meta(max_length=50)] | UnsetType = UNSET  # type: ignore[valid-type]


class MyPoints(msgspec.Struct):
    balance: Annotated[int, Meta(examples=[150])]
    held: Annotated[int, Meta(examples=[30])]
    available: Annotated[int, Meta(description="balance − held", examples=[120])]


class SourceRef(msgspec.Struct):
    type: str | None
    id: str | None


class PointsTransfer(msgspec.Struct):
    id: Annotated[str, Meta(examples=["trf_5t7v9x2b4d6f8h1k"])]
    delta: Annotated[int, Meta(description="Signed: + in, − out of my account", examples=[20])]
    reason: Reason
    source: SourceRef
    note: str
    status: TransferStatus
    created_at: Stamp


class AwardCreate(Input):
    person_id: PersonRef  # type: ignore[valid-type]
    amount: AwardAmount
    reason: Literal["award", "volunteer_hours"] = "award"
    note: Note = ""  # type: ignore[valid-type]


class Standing(msgspec.Struct):
    rank: int
    display_name: Annotated[str, Meta(description="Masked as in the members list", examples=["张*华"])]
    points: int


class Leaderboard(msgspec.Struct):
    period: Period
    data: list[Standing]


def settings_view(settings: domain.StreetSettings) -> StreetSettings:
    return StreetSettings(
        points_expiry=settings.points_expiry,  # type: ignore[arg-type]
        points_expiry_grace_days=settings.points_expiry_grace_days,
        award_cap_per_leader_per_day=settings.award_cap_per_leader_per_day,
        max_points_per_attendee=settings.max_points_per_attendee, fund_two_approvers=settings.fund_two_approvers,
        fund_street_signoff_above_fen=settings.fund_street_signoff_above_fen,
        fund_publicity_days=settings.fund_publicity_days, extra_talent_tags=settings.extra_talent_tags,
        updated_at=settings.updated_at)


def points_view(points: Points) -> MyPoints:
    return MyPoints(balance=points.balance, held=points.held, available=points.available)


def transfer_view(movement: Entry) -> PointsTransfer:
    return PointsTransfer(id=movement.id, delta=movement.delta, reason=movement.reason,  # type: ignore[arg-type]
                          source=SourceRef(movement.source_type, movement.source_id), note=movement.note,
                          status=movement.status, created_at=movement.created_at)  # type: ignore[arg-type]


def leaderboard_view(period: str, standings: list[domain.Standing]) -> Leaderboard:
    return Leaderboard(period=period, data=[  # type: ignore[arg-type]
        Standing(rank=s.rank, display_name=display_name(s.real_name, s.nickname), points=s.points)
        for s in standings])
