"""Wire types of rewards and redemptions, and their views of domain/rewards.py's models."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from domain import rewards as domain

Name = text(100, min_length=1, example="环保购物袋")
Description = text(2000, example="社区共建单位提供，凭取件码到物业服务中心领取")
CostPoints = Annotated[int, Meta(ge=1, le=1_000_000, examples=[50])]
Stock = Annotated[int, Meta(ge=0, le=1_000_000, examples=[20])]
Limit = Annotated[int, Meta(ge=1, le=1000, examples=[1])]
HoldDays = Annotated[int, Meta(ge=1, le=365, examples=[14])]
OrganizationRef = id_text("org_5t7v9x2b4d6f8h1k")
PickupCode = Annotated[str, Meta(min_length=6, max_length=8, examples=["K7M2Q9XA"])]
RedemptionStatus = Literal["pending", "fulfilled", "cancelled", "expired"]


class Reward(msgspec.Struct):
    id: Annotated[str, Meta(examples=["rwd_5t7v9x2b4d6f8h1k"])]
    community_id: str | None
    name: str
    description: str
    cost_points: int
    stock: Annotated[int, Meta(description="Units left to redeem")]
    limit_per_person: int | None
    provider_organization_id: str | None
    hold_days: int
    active: bool
    created_at: Stamp
    updated_at: Stamp


class RewardCreate(Input):
    name: Name  # type: ignore[valid-type]
    cost_points: CostPoints
    stock: Stock
    description: Description = ""  # type: ignore[valid-type]
    limit_per_person: Limit | None = None
    provider_organization_id: OrganizationRef | None = None  # type: ignore[valid-type]
    hold_days: HoldDays = 14
    active: bool = True


class RewardUpdate(Input):
    name: Name | UnsetType = UNSET  # type: ignore[valid-type]
    description: Description | UnsetType = UNSET  # type: ignore[valid-type]
    cost_points: CostPoints | UnsetType = UNSET
    stock: Stock | UnsetType = UNSET
    limit_per_person: Limit | None | UnsetType = UNSET
    provider_organization_id: OrganizationRef | None | UnsetType = UNSET  # type: ignore[valid-type]
    hold_days: HoldDays | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class Redemption(msgspec.Struct):
    id: Annotated[str, Meta(examples=["rdm_5t7v9x2b4d6f8h1k"])]
    reward_id: str
    community_id: str | None
    cost_points: int
    status: RedemptionStatus
    pickup_code: Annotated[str | None, Meta(description="Shown to the person who redeemed only",
                                            examples=["K7M2Q9XA"])]
    expires_at: Stamp
    fulfilled_at: Stamp | None
    cancelled_at: Stamp | None
    expired_at: Stamp | None
    created_at: Stamp
    updated_at: Stamp


class RedemptionTransition(Input):
    to: Literal["fulfilled", "cancelled"]
    pickup_code: PickupCode | None = None


def reward_view(reward: domain.Reward) -> Reward:
    return Reward(id=reward.id, community_id=reward.community_id, name=reward.name, description=reward.description,
                  cost_points=reward.cost_points, stock=reward.stock, limit_per_person=reward.limit_per_person,
                  provider_organization_id=reward.provider_organization_id, hold_days=reward.hold_days,
                  active=reward.active, created_at=reward.created_at, updated_at=reward.updated_at)


def redemption_view(redemption: domain.Redemption, viewer: str | None) -> Redemption:
    return Redemption(
        id=redemption.id, reward_id=redemption.reward_id, community_id=redemption.community_id,
        cost_points=redemption.cost_points, status=redemption.status,  # type: ignore[arg-type]
        pickup_code=redemption.pickup_code if viewer == redemption.person_id else None,
        expires_at=redemption.expires_at, fulfilled_at=redemption.fulfilled_at,
        cancelled_at=redemption.cancelled_at, expired_at=redemption.expired_at, created_at=redemption.created_at,
        updated_at=redemption.updated_at)
