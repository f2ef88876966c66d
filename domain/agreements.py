"""Co-building agreements (共建协议) between a community (or one of its buildings) and a partner
organisation: the frozen model, its status machine and its dates.

```
draft ─(both sides sign)─▶ signed ─(starts_on begins)─▶ active ─(ends_on is over)─▶ expired
draft | signed | active ─(either side, with a reason)─▶ terminated
```
``starts_on`` and ``ends_on`` are whole days (both inclusive) in the street's time zone: the
agreement is active from 00:00 of ``starts_on`` until 00:00 of the day after ``ends_on``, and
``agreement.expiring`` is raised once, exactly 30 days before that end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import Conflict, Forbidden, RuleViolation
from domain.lists import check_dates
from domain.permissions import Place

AGREEMENT_STATUSES = ("draft", "signed", "active", "expired", "terminated")
SIDES = ("community", "organization")
EXPIRING_NOTICE = timedelta(days=30)
LIVE = ("signed", "active")  # what the service still moves by date


@dataclass(frozen=True, slots=True)
class Agreement:
    id: str
    street_id: str
    community_id: str
    building_id: str | None
    organization_id: str
    title: str
    commitments: list[dict[str, Any]]
    starts_on: date
    ends_on: date
    status: str
    community_signed_by: str | None
    community_signed_at: datetime | None
    organization_signed_by: str | None
    organization_signed_at: datetime | None
    reason: str | None
    created_by_type: str
    created_by_id: str | None
    signed_at: datetime | None
    active_at: datetime | None
    expiring_at: datetime | None
    expired_at: datetime | None
    terminated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def signed_by(self, side: str) -> str | None:
        return self.community_signed_by if side == "community" else self.organization_signed_by


def place_of(agreement: Agreement) -> Place:
    return Place(agreement.street_id, community_id=agreement.community_id, building_id=agreement.building_id)


# Dates

def day_start(day: date, timezone: str) -> datetime:
    """00:00 of ``day`` on the wall clock of ``timezone`` (an aware instant)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


@dataclass(frozen=True)
class Moments:
    starts_at: datetime  # becomes active
    ends_at: datetime  # expires (the day after ends_on begins)
    expiring_at: datetime  # agreement.expiring is due


def moments(starts_on: date, ends_on: date, timezone: str) -> Moments:
    ends_at = day_start(ends_on + timedelta(days=1), timezone)
    return Moments(day_start(starts_on, timezone), ends_at, ends_at - EXPIRING_NOTICE)


def check_period(starts_on: date, ends_on: date) -> None:
    """Whole days within 2000–2100, the end on or after the start."""
    check_dates(starts_on, ends_on)


def due_status(status: str, when: Moments, now: datetime) -> str:
    """Where the service moves a signed or active agreement at ``now`` (other statuses stay)."""
    if status not in LIVE:
        return status
    if now >= when.ends_at:
        return "expired"
    if now >= when.starts_at:
        return "active"
    return status


def expiring_due(status: str, already_raised: bool, when: Moments, now: datetime) -> bool:
    """``agreement.expiring`` is raised once, while the agreement still runs (signed or active)
    and its last 30 days have begun."""
    return status in LIVE and not already_raised and when.expiring_at <= now < when.ends_at


# Moves by persons

def ensure_draft(status: str) -> None:
    """The text, the parties and the dates change only in a draft."""
    if status != "draft":
        raise Conflict("wrong_agreement_status", {"status": status})


def signing_side(status: str, sides: tuple[str, ...], requested: str | None,
                 signed: dict[str, str | None], ends_at: datetime, now: datetime) -> str:
    """The side the caller signs for: the one named, else their only one (403 ``not_allowed``
    for no side, 422 ``signature_side_required`` for two and none named); 409
    ``already_signed`` when that side signed; 422 ``agreement_period_over`` after its end."""
    if not sides or (requested is not None and requested not in sides):
        raise Forbidden("not_allowed")
    if requested is None and len(sides) > 1:
        raise RuleViolation("signature_side_required")
    side = requested or sides[0]
    ensure_draft(status)
    if signed.get(side):
        raise Conflict("already_signed", {"side": side})
    if now >= ends_at:
        raise RuleViolation("agreement_period_over")
    return side


def agreement_move(status: str, to: str, reason: str | None) -> str:
    """A person's move: only ``terminated`` (from draft, signed or active, with a reason); the
    other statuses are the signatures' and the dates'."""
    if to != "terminated" or status not in ("draft", "signed", "active"):
        raise Conflict("wrong_agreement_status", {"status": status, "to": to})
    if not (reason or "").strip():
        raise RuleViolation("transition_reason_required")
    return "terminated"
