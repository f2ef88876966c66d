"""Announcements (看): a building's, a community's or the street's notices, their status
machine, who posts, reads and withdraws them, and who acknowledges them (我已知晓).

```
announcement: scheduled ─(publish_at, by the service)─▶ published ─(expires_at)─▶ expired
              scheduled | published ─(author or a leader of its scope)─▶ withdrawn
```
A refused move is 409 ``wrong_announcement_status``; a period whose end is not after its
start is 422 ``invalid_period``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import Conflict, RuleViolation
from domain.permissions import Actor, Place, Tie

SCOPES = ("street", "community", "building")
STATUSES = ("scheduled", "published", "expired", "withdrawn")
PUBLIC = ("published", "expired")  # what readers who do not manage the scope see
EDITABLE = ("scheduled", "published")


@dataclass(frozen=True, slots=True)
class Announcement:
    id: str
    street_id: str
    community_id: str | None
    building_id: str | None
    scope: str
    author_type: str
    author_id: str
    title: str
    body: str
    pinned: bool
    requires_acknowledgement: bool
    status: str
    publish_at: datetime
    expires_at: datetime | None
    published_at: datetime | None
    expired_at: datetime | None
    withdrawn_at: datetime | None
    households: int
    acknowledged: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    announcement_id: str
    household_id: str
    building_id: str
    in_audience: bool
    created_at: datetime


def place_of(announcement: Announcement) -> Place:
    return Place(announcement.street_id, community_id=announcement.community_id,
                 building_id=announcement.building_id)


def scope_of(place: Place) -> str:
    if place.building_id is not None:
        return "building"
    return "community" if place.community_id is not None else "street"


def may_post(actor: Actor, place: Place) -> bool:
    """The leaders of the scope: a building's leader and above; a community's staff and
    above; street officers (platform clients: ``street:write``) for the street."""
    scope = scope_of(place)
    if scope == "building":
        return actor.leader_of(place)
    if scope == "community":
        return actor.staff_of(place)
    return place.street_id == actor.principal.street_id and actor.street_wide(write=True)


def is_author(actor: Actor, announcement: Announcement) -> bool:
    if actor.person_id is not None:
        return announcement.author_type == "person" and announcement.author_id == actor.person_id
    return announcement.author_type == "client" and announcement.author_id == actor.principal.client_id


def may_manage(actor: Actor, announcement: Announcement) -> bool:
    """Change, withdraw, see its follow-up: its author or a leader of its scope."""
    return is_author(actor, announcement) or may_post(actor, place_of(announcement))


def reaches(actor: Actor, place: Place) -> bool:
    """Readers of a scope: anyone of the street for the street's; those who see the community
    or building (its residents and leaders) for theirs."""
    if place.street_id != actor.principal.street_id:
        return False
    if scope_of(place) == "street":
        return True
    return actor.sees(place)


def may_see(actor: Actor, announcement: Announcement) -> bool:
    if may_manage(actor, announcement):
        return True
    return announcement.status in PUBLIC and reaches(actor, place_of(announcement))


def ensure_period(publish_at: datetime, expires_at: datetime | None, now: datetime) -> None:
    """An end after the start, and not already past."""
    if expires_at is not None and (expires_at <= publish_at or expires_at <= now):
        raise RuleViolation("invalid_period")


def ensure_status(status: str, *allowed: str) -> None:
    if status not in allowed:
        raise Conflict("wrong_announcement_status", {"status": status})


def withdraw(status: str) -> str:
    ensure_status(status, *EDITABLE)
    return "withdrawn"


def publishes_now(publish_at: datetime, now: datetime) -> bool:
    return publish_at <= now


def expires(status: str, expires_at: datetime | None, now: datetime) -> bool:
    return status == "published" and expires_at is not None and expires_at <= now


def in_scope(tie: Tie, place: Place) -> bool:
    """A household of the scope."""
    if place.building_id is not None:
        return tie.building_id == place.building_id
    if place.community_id is not None:
        return tie.community_id == place.community_id
    return True


def acknowledging_household(ties: list[Tie], place: Place, requested: str | None) -> Tie:
    """The household a person acknowledges for: the one named (of theirs, in the scope), else
    their only one in the scope; 422 ``household_required`` when they have several and named
    none, 422 ``household_not_eligible`` when they have none there (or named another)."""
    eligible = sorted((t for t in ties if in_scope(t, place)), key=lambda t: t.household_id)
    if requested is not None:
        for tie in eligible:
            if tie.household_id == requested:
                return tie
        raise RuleViolation("household_not_eligible")
    if not eligible:
        raise RuleViolation("household_not_eligible")
    if len(eligible) > 1:
        raise RuleViolation("household_required")
    return eligible[0]
