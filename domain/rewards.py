"""Rewards (兑换) bought with points, and their redemptions: a redemption holds the points
(a pending transfer) and one unit of stock; fulfilment with the pickup code posts the hold,
cancellation and expiry after ``hold_days`` void it and return the stock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import Conflict, Forbidden, RuleViolation
from domain.permissions import Place

PENDING, FULFILLED, CANCELLED, EXPIRED = "pending", "fulfilled", "cancelled", "expired"
STATUSES = (PENDING, FULFILLED, CANCELLED, EXPIRED)
PICKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud at a counter
PICKUP_LENGTH = 8


@dataclass(frozen=True, slots=True)
class Reward:
    id: str
    street_id: str
    community_id: str | None
    name: str
    description: str
    cost_points: int
    stock: int
    limit_per_person: int | None
    provider_organization_id: str | None
    hold_days: int
    active: bool
    created_at: datetime
    updated_at: datetime

    @property
    def building_id(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Redemption:
    id: str
    street_id: str
    community_id: str | None
    reward_id: str
    person_id: str
    transfer_id: str
    cost_points: int
    pickup_code: str
    status: str
    expires_at: datetime
    fulfilled_at: datetime | None
    cancelled_at: datetime | None
    expired_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def building_id(self) -> None:
        return None


def place_of_reward(reward: Reward | Redemption) -> Place:
    return Place(reward.street_id, community_id=reward.community_id)


def check_limit(redeemed: int, limit: int | None) -> None:
    if limit is not None and redeemed >= limit:
        raise RuleViolation("limit_per_person_reached", {"limit": limit})


def check_move(redemption: Redemption, to: str, *, is_owner: bool, is_leader: bool, may_fulfil: bool,
               pickup_code: str | None, now: datetime) -> None:
    """pending → fulfilled (the provider or a leader, with the right code) or cancelled (the
    person, or a leader). Anything else is 409 ``redemption_not_pending`` — also a hold past its
    ``expires_at`` whose expiry job has not run yet: it is expired, whatever the row says."""
    if redemption.status != PENDING:
        raise Conflict("redemption_not_pending", {"status": redemption.status})
    if now >= redemption.expires_at:
        raise Conflict("redemption_not_pending", {"status": EXPIRED})
    if to == FULFILLED:
        if not may_fulfil:
            raise Forbidden("not_allowed")
        if pickup_code is None or pickup_code.strip().upper() != redemption.pickup_code:
            raise RuleViolation("pickup_code_mismatch")
    elif to == CANCELLED:
        if not (is_owner or is_leader):
            raise Forbidden("not_allowed")
    else:
        raise RuleViolation("invalid_value", {"field": "to"})

