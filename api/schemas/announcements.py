"""Wire types of announcements (看) and acknowledgements (我已知晓), and their views of
domain/announcements.py's models."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from api.schemas.tasks import When
from domain import announcements as domain
from usecases.announcement_acknowledgements import FollowUp

AnnouncementStatus = Literal["scheduled", "published", "expired", "withdrawn"]
Scope = Literal["street", "community", "building"]
Title = text(100, min_length=1, example="12月5日停水通知")
Body = text(5000, min_length=1, example="因管道检修，12月5日9:00至17:00停水，请提前储水。")
HouseholdRef = id_text("hh_5t7v9x2b4d6f8h1k")


class Announcement(msgspec.Struct):
    id: Annotated[str, Meta(examples=["ann_5t7v9x2b4d6f8h1k"])]
    scope: Scope
    community_id: str | None
    building_id: str | None
    title: str
    body: str
    pinned: bool
    requires_acknowledgement: bool
    status: AnnouncementStatus
    publish_at: Stamp
    expires_at: Stamp | None
    households: int  # the households of its scope at publishing (0 before)
    acknowledged: int  # of those, the households that acknowledged
    acknowledged_by_me: bool  # one of the caller's households acknowledged it
    created_at: Stamp
    updated_at: Stamp
    published_at: Stamp | None
    expired_at: Stamp | None
    withdrawn_at: Stamp | None


class AnnouncementCreate(Input):
    title: Title  # type: ignore[valid-type]
    body: Body  # type: ignore[valid-type]
    pinned: bool = False
    publish_at: When | None = None  # omitted: published at once
    expires_at: When | None = None
    requires_acknowledgement: bool = False


class AnnouncementUpdate(Input):
    title: Title | UnsetType = UNSET  # type: ignore[valid-type]
    body: Body | UnsetType = UNSET  # type: ignore[valid-type]
    pinned: bool | UnsetType = UNSET
    publish_at: When | UnsetType = UNSET
    expires_at: When | None | UnsetType = UNSET
    requires_acknowledgement: bool | UnsetType = UNSET


class AnnouncementTransition(Input):
    to: AnnouncementStatus  # only `withdrawn` is a move a caller makes; the others are 409


class AcknowledgementPut(Input):
    household_id: HouseholdRef | None = None  # type: ignore[valid-type]


class Acknowledgement(msgspec.Struct):
    announcement_id: str
    household_id: str
    building_id: str
    counted: bool  # the household was in the audience frozen at publishing
    acknowledged_at: Stamp


class BuildingAcknowledgements(msgspec.Struct):
    building_id: str
    building_name: str
    households: int
    acknowledged: int
    not_acknowledged_units: list[str]


class Acknowledgements(msgspec.Struct):
    announcement_id: str
    households: int
    acknowledged: int
    buildings: list[BuildingAcknowledgements]


def announcement_view(announcement: domain.Announcement, mine: bool = False) -> Announcement:
    a = announcement
    return Announcement(
        id=a.id, scope=a.scope, community_id=a.community_id, building_id=a.building_id, title=a.title, body=a.body,
        pinned=a.pinned, requires_acknowledgement=a.requires_acknowledgement, status=a.status,
        publish_at=a.publish_at, expires_at=a.expires_at, households=a.households, acknowledged=a.acknowledged,
        acknowledged_by_me=mine, created_at=a.created_at, updated_at=a.updated_at, published_at=a.published_at,
        expired_at=a.expired_at, withdrawn_at=a.withdrawn_at)


def acknowledgement_view(found: domain.Acknowledgement) -> Acknowledgement:
    return Acknowledgement(found.announcement_id, found.household_id, found.building_id, found.in_audience,
                           found.created_at)


def acknowledgements_view(found: FollowUp) -> Acknowledgements:
    return Acknowledgements(found.announcement_id, found.households, found.acknowledged, [
        BuildingAcknowledgements(b.building_id, b.name, b.households, b.acknowledged, b.not_acknowledged_units)
        for b in found.buildings])
