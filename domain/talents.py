"""The talent pool (楼组达人库): a person's talents, shown to neighbours only with separate
consent to the current notice (PIPL art. 23/25), with tags from a fixed list the street can
extend; and leaders' invitations of a talent to a task or an activity, which the person
accepts or declines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.errors import Conflict, RuleViolation

# The version of the consent notice for showing one's talents to neighbours. A new notice gets
# a new version; a profile made visible under an older one must be confirmed again to change.
CONSENT_VERSION = "2026-12-01"
TAGS = ("photography", "repair", "legal_advice", "medical", "calligraphy", "tutoring", "it_help", "cooking",
        "music", "other")
AVAILABLE_FOR = ("task", "activity")
MAX_TALENTS = 10
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
INVITATION_STATUSES = (PENDING, ACCEPTED, DECLINED)


@dataclass(frozen=True, slots=True)
class Talent:
    tag: str
    description: str


@dataclass(frozen=True, slots=True)
class Profile:
    street_id: str
    person_id: str
    talents: tuple[Talent, ...]
    available_for: tuple[str, ...]
    visible: bool
    consent_version: str | None
    consent_given_at: datetime | None
    consent_withdrawn_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Listed:
    """A visible profile as neighbours see it: a masked display name, never a phone."""

    person_id: str
    display_name: str
    talents: tuple[Talent, ...]
    available_for: tuple[str, ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Invitation:
    id: str
    street_id: str
    community_id: str
    building_id: str | None
    person_id: str
    invited_by: str | None
    task_id: str | None
    activity_id: str | None
    message: str
    status: str
    accepted_at: datetime | None
    declined_at: datetime | None
    created_at: datetime
    updated_at: datetime


def allowed_tags(extra: Iterable[str]) -> tuple[str, ...]:
    return TAGS + tuple(tag for tag in extra if tag not in TAGS)


def check_talents(talents: Iterable[Talent], extra_tags: Iterable[str]) -> None:
    allowed = set(allowed_tags(extra_tags))
    for index, talent in enumerate(talents):
        if talent.tag not in allowed:
            raise RuleViolation("unknown_talent_tag", {"field": f"body.talents[{index}].tag", "tag": talent.tag})


def check_consent(visible: bool, consent_version: str | None) -> None:
    """Showing needs consent to the current notice; hiding needs none."""
    if visible and consent_version != CONSENT_VERSION:
        raise RuleViolation("consent_required", {"version": CONSENT_VERSION})


def consent_stamps(before: Profile | None, visible: bool, now: datetime) -> dict[str, datetime | None]:
    """When consent was given (on becoming visible, or confirming again) and withdrawn (on
    becoming hidden after having been visible)."""
    was_visible = before is not None and before.visible
    given = before.consent_given_at if before else None
    withdrawn = before.consent_withdrawn_at if before else None
    if visible:
        given = now
    elif was_visible:
        withdrawn = now
    return {"consent_given_at": given, "consent_withdrawn_at": withdrawn}


def check_answer(invitation: Invitation, to: str) -> None:
    if invitation.status != PENDING:
        raise Conflict("invitation_not_pending", {"status": invitation.status})
    if to not in (ACCEPTED, DECLINED):
        raise RuleViolation("invalid_value", {"field": "to"})
