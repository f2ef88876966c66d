"""Persons, their memberships of households, household invites, and personal information as
other people may see it (PIPL): masked names and numbers. Roles: domain/roles.py;
organisations: domain/organizations.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

ANONYMOUS = "居民"




def mask_name(name: str) -> str:
    """Keep the first and last character, hide the rest: 张小华 → 张*华, 李四 → 李*,
    欧阳建国 → 欧**国. The masked name is as long as the name."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str | None:
    """138****8000: the first three and last four digits of an 11-digit number; shorter
    numbers keep only their last two."""
    if not phone:
        return None
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(0, len(phone) - 2) + phone[-2:]


_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalize_phone(text: str) -> str | None:
    """A phone number as WeChat reports a verified one (``purePhoneNumber``): a mainland mobile
    as its 11 digits (a +86 / 0086 / 86 prefix and separators dropped); None when the text is
    no mainland mobile number. One form on both sides is what lets a digest match."""
    digits = _PHONE_SEPARATORS.sub("", text.strip())
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if _MAINLAND_MOBILE.fullmatch(digits) else None


def display_name(real_name: str | None, nickname: str | None) -> str:
    """What other residents see: the masked real name, else the nickname, else 居民."""
    if real_name:
        return mask_name(real_name)
    return nickname or ANONYMOUS


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    nickname: str | None
    real_name: str | None
    phone: str | None
    erased_at: datetime | None
    created_at: datetime
    updated_at: datetime
    show_on_leaderboard: bool = False  # opted in to the points leaderboards


@dataclass(frozen=True, slots=True)
class Membership:
    """A person's place in a household (with the household's unit label)."""

    id: str
    street_id: str
    community_id: str
    building_id: str
    household_id: str
    person_id: str
    role: str
    head: bool
    joined_at: datetime
    left_at: datetime | None
    created_at: datetime
    updated_at: datetime
    unit_label: str


@dataclass(frozen=True, slots=True)
class Member:
    """A live member as a member list shows them; ``joined_at`` only in a household's own list."""

    id: str
    person_id: str
    role: str
    head: bool
    created_at: datetime
    updated_at: datetime
    unit_label: str
    nickname: str | None
    real_name: str | None
    phone: str | None
    joined_at: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    street_id: str
    actor_client: str
    actor_person: str | None
    action: str
    subject_type: str
    subject_id: str
    fields: list[str]
    request_id: str | None
    created_at: datetime
    updated_at: datetime


# Invites: a one-time code whose terms say what redeeming it gives. Every kind has the fields
# up to created_at; the rest are its terms (the columns of its table).

@dataclass(frozen=True, slots=True)
class HouseholdInvite:
    id: str
    street_id: str
    created_by: str
    expires_at: datetime
    created_at: datetime
    household_id: str
    role: str
    head: bool


@dataclass(frozen=True, slots=True)
class Holding:
    """One thing a person holds in a street: a live role (``kind`` "role") or a live
    household membership (``kind`` "member")."""

    kind: str
    role: str
    scope_type: str | None
    scope_id: str | None
    community_id: str | None
    building_id: str | None
    household_id: str | None
    head: bool


@dataclass(frozen=True, slots=True)
class PresentedRefreshToken:
    """A refresh token as presented for rotation, with what decides whether it still works."""

    id: str
    family_id: str
    person_id: str
    client_id: str
    street_id: str
    used: bool
    revoked: bool
    expired: bool
    client_refused: bool  # its client is disabled or is no mini-program
    person_erased: bool


def refresh_refusal(token: PresentedRefreshToken | None) -> str | None:
    """Why a presented refresh token may not be rotated, or None when it may. Reuse is named
    before the rest, since it makes the whole family unusable (a stolen token in play)."""
    if token is None:
        return "unknown"
    if token.used or token.revoked:
        return "reused"
    if token.client_refused:
        return "client_disabled"
    if token.person_erased:
        return "person_erased"
    if token.expired:
        return "expired"
    return None
