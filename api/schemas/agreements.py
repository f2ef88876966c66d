"""Wire types of co-building agreements and their view of domain/agreements.py's model."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from api.schemas.tasks import Reason
from domain import agreements as domain

AgreementStatus = Literal["draft", "signed", "active", "expired", "terminated"]
Side = Literal["community", "organization"]
AgreementTitle = text(100, min_length=1, example="嘉富社区与嘉富便民超市共建协议")
CommitmentText = text(1000, min_length=1, example="每周二、四为独居老人配送午餐")
BuildingRef = id_text("bld_5t7v9x2b4d6f8h1k")
OrganizationRef = id_text("org_5t7v9x2b4d6f8h1k")
Day = Annotated[date, Meta(examples=["2027-01-01"], description="A whole day (YYYY-MM-DD) in the street's time zone")]


class CommitmentItem(Input):
    party: Side
    text: CommitmentText  # type: ignore[valid-type]


Commitments = Annotated[list[CommitmentItem], Meta(max_length=50)]


class Commitment(msgspec.Struct):
    party: Side
    text: str


class Signature(msgspec.Struct):
    person_id: str
    at: Stamp


class Signatures(msgspec.Struct):
    community: Signature | None
    organization: Signature | None


class Agreement(msgspec.Struct):
    id: Annotated[str, Meta(examples=["agr_5t7v9x2b4d6f8h1k"])]
    community_id: str
    building_id: str | None
    organization_id: str
    title: str
    commitments: list[Commitment]
    starts_on: date
    ends_on: date
    status: AgreementStatus
    signatures: Signatures
    reason: str | None
    created_at: Stamp
    updated_at: Stamp
    signed_at: Stamp | None
    active_at: Stamp | None
    expiring_at: Stamp | None
    expired_at: Stamp | None
    terminated_at: Stamp | None


class AgreementCreate(Input):
    organization_id: OrganizationRef  # type: ignore[valid-type]
    title: AgreementTitle  # type: ignore[valid-type]
    starts_on: Day
    ends_on: Day
    commitments: Commitments = []
    building_id: BuildingRef | None = None  # type: ignore[valid-type]


class AgreementUpdate(Input):
    organization_id: OrganizationRef | UnsetType = UNSET  # type: ignore[valid-type]
    title: AgreementTitle | UnsetType = UNSET  # type: ignore[valid-type]
    commitments: Commitments | UnsetType = UNSET
    starts_on: Day | UnsetType = UNSET
    ends_on: Day | UnsetType = UNSET
    building_id: BuildingRef | None | UnsetType = UNSET  # type: ignore[valid-type]


class SignatureCreate(Input):
    side: Side | None = None  # needed only by a person who may sign for both sides


class AgreementTransition(Input):
    to: AgreementStatus  # only `terminated` is a person's move; the others are the signatures' and the dates'
    reason: Reason | None = None  # type: ignore[valid-type]


def _signature(by: str | None, at: object) -> Signature | None:
    return Signature(by, at) if by is not None and at is not None else None  # type: ignore[arg-type]


def agreement_view(agreement: domain.Agreement) -> Agreement:
    return Agreement(
        id=agreement.id, community_id=agreement.community_id, building_id=agreement.building_id,
        organization_id=agreement.organization_id, title=agreement.title,
        commitments=[Commitment(c["party"], c["text"]) for c in agreement.commitments],
        starts_on=agreement.starts_on, ends_on=agreement.ends_on, status=agreement.status,
        signatures=Signatures(_signature(agreement.community_signed_by, agreement.community_signed_at),
                              _signature(agreement.organization_signed_by, agreement.organization_signed_at)),
        reason=agreement.reason, created_at=agreement.created_at, updated_at=agreement.updated_at,
        signed_at=agreement.signed_at, active_at=agreement.active_at, expiring_at=agreement.expiring_at,
        expired_at=agreement.expired_at, terminated_at=agreement.terminated_at)
