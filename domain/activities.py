"""Activities (月月有活动) and their sign-ups: the status machine, the sign-up window, seats
and the waiting list, the cancellation deadline, the attendance window and the rotating
check-in token. Pure rules; the database serialises them (the activity's row lock)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.errors import Conflict, RuleViolation
from domain.permissions import Actor, Place

DRAFT, PUBLISHED, FINISHED, CANCELLED = "draft", "published", "finished", "cancelled"
STATUSES = (DRAFT, PUBLISHED, FINISHED, CANCELLED)
CATEGORIES = ("culture", "sports", "volunteering", "elderly_care", "children", "festival", "safety", "other")
CONFIRMED, WAITLISTED = "confirmed", "waitlisted"  # and CANCELLED
SIGNUP_STATUSES = (CONFIRMED, WAITLISTED, CANCELLED)
MAX_COMPANIONS = 4
ATTEND_FROM = timedelta(minutes=30)  # before starts_at
ATTEND_UNTIL = timedelta(hours=48)  # after ends_at
TOKEN_WINDOW_SECONDS = 60
TOKEN_LENGTH = 16  # ≤ 32: fits a mini-program code's scene
_TOKEN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
# Fields whose change moves the activity in time (its booking moves with it).
TIMING = ("starts_at", "ends_at")


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    street_id: str
    community_id: str
    building_id: str | None
    title: str
    description: str
    category: str
    starts_at: datetime
    ends_at: datetime
    location: str
    space_id: str | None
    booking_id: str | None
    capacity: int | None
    seats_taken: int
    signup_opens_at: datetime | None
    signup_closes_at: datetime | None
    cancel_before_minutes: int
    points_per_attendee: int
    organizer_type: str
    organizer_id: str
    status: str
    cancel_reason: str | None
    published_at: datetime | None
    finished_at: datetime | None
    cancelled_at: datetime | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def place(self) -> Place:
        return Place(self.street_id, community_id=self.community_id, building_id=self.building_id)


@dataclass(frozen=True, slots=True)
class Signup:
    id: str
    street_id: str
    community_id: str
    building_id: str | None
    activity_id: str
    person_id: str | None
    companions: int
    seats: int
    status: str
    confirmed_at: datetime | None
    promoted_at: datetime | None
    cancelled_at: datetime | None
    attended_at: datetime | None
    created_at: datetime
    updated_at: datetime
    position: int | None = None  # on the waiting list (1 = next), else None


def month_bounds(month: str, zone: str) -> tuple[datetime, datetime]:
    """``YYYY-MM`` as [first instant, first instant of the next month) in the place's zone."""
    year, number = int(month[:4]), int(month[5:7])
    tz = ZoneInfo(zone)
    return datetime(year, number, 1, tzinfo=tz), datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)


# Who

def manages(actor: Actor, activity: Activity) -> bool:
    """The organiser: the person organiser, a member of the organising organisation, or a
    leader of the activity's place (building leader and above; community staff for a
    community's activity)."""
    if activity.organizer_type == "person" and actor.person_id == activity.organizer_id:
        return True
    if activity.organizer_type == "organization" and activity.organizer_id in actor.grants.organizations:
        return True
    return actor.leader_of(activity.place)


def may_see(actor: Actor, activity: Activity) -> bool:
    """Drafts: their organisers; otherwise those who see the place."""
    if activity.status == DRAFT:
        return manages(actor, activity)
    return actor.sees(activity.place) or manages(actor, activity)


# The status machine

_MOVES = {DRAFT: (PUBLISHED, CANCELLED), PUBLISHED: (CANCELLED,)}


def check_transition(activity: Activity, to: str, reason: str | None) -> None:
    """draft → published; draft or published → cancelled (with a reason). ``finished`` is the
    service's own move, at ``ends_at``."""
    if to not in _MOVES.get(activity.status, ()):
        raise Conflict("wrong_activity_status", {"status": activity.status, "to": to})
    if to == CANCELLED and not (reason or "").strip():
        raise RuleViolation("transition_reason_required")


def check_editable(activity: Activity) -> None:
    if activity.status not in (DRAFT, PUBLISHED):
        raise Conflict("wrong_activity_status", {"status": activity.status})


def check_points(points: int, street_max: int) -> None:
    if points > street_max:
        raise RuleViolation("points_per_attendee_too_high", {"max": street_max})


def check_times(starts_at: datetime, ends_at: datetime, opens: datetime | None, closes: datetime | None) -> None:
    """Real times of 2000–2100, ending after they start (sign-ups closing after they open)."""
    for moment in (starts_at, ends_at, opens, closes):
        if moment is not None and not (EARLIEST <= moment <= LATEST):
            raise RuleViolation("invalid_period")
    if ends_at <= starts_at:
        raise RuleViolation("invalid_period")
    if opens is not None and closes is not None and closes <= opens:
        raise RuleViolation("invalid_period")


def check_capacity(capacity: int | None, seats_taken: int) -> None:
    """A capacity below the seats already confirmed would turn people away: refused."""
    if capacity is not None and capacity < seats_taken:
        raise RuleViolation("capacity_below_confirmed", {"seats_taken": seats_taken})


# Sign-ups

def signup_closes(activity: Activity) -> datetime:
    """``signup_closes_at``, else the start."""
    return activity.signup_closes_at or activity.starts_at


def check_signup_open(activity: Activity, now: datetime) -> None:
    if activity.status != PUBLISHED:
        raise Conflict("signup_closed", {"status": activity.status})
    if activity.signup_opens_at is not None and now < activity.signup_opens_at:
        raise Conflict("signup_closed")
    if now >= signup_closes(activity):
        raise Conflict("signup_closed")


def fits(capacity: int | None, taken: int, seats: int) -> bool:
    return capacity is None or taken + seats <= capacity


def placed(capacity: int | None, taken: int, seats: int) -> str:
    """A new sign-up is confirmed when its seats fit, else waitlisted."""
    return CONFIRMED if fits(capacity, taken, seats) else WAITLISTED


def promotions(capacity: int | None, taken: int, waiting: list[tuple[str, int]]) -> list[str]:
    """Whom to promote, in order: going down the waiting list (``(id, seats)`` in its order),
    each sign-up that fits what is left; none that does not fit is skipped over for good —
    it keeps its place for the next free seats."""
    promoted = []
    for signup_id, seats in waiting:
        if fits(capacity, taken, seats):
            promoted.append(signup_id)
            taken += seats
    return promoted


def cancel_deadline(activity: Activity) -> datetime:
    return activity.starts_at - timedelta(minutes=activity.cancel_before_minutes)


def check_cancel(activity: Activity, now: datetime) -> None:
    if activity.status != PUBLISHED:
        raise Conflict("wrong_activity_status", {"status": activity.status})
    if now > cancel_deadline(activity):
        raise RuleViolation("cancel_too_late")


# Attendance

def check_attendance(activity: Activity, signup: Signup, now: datetime) -> None:
    if activity.status not in (PUBLISHED, FINISHED):
        raise Conflict("wrong_activity_status", {"status": activity.status})
    if not (activity.starts_at - ATTEND_FROM <= now <= activity.ends_at + ATTEND_UNTIL):
        raise Conflict("attendance_closed")
    if signup.status != CONFIRMED:
        raise Conflict("signup_not_confirmed", {"status": signup.status})


def token_window(real_now: datetime) -> int:
    return int(real_now.timestamp()) // TOKEN_WINDOW_SECONDS


def checkin_token(key: bytes, activity_id: str, window: int) -> str:
    """The code on the organiser's screen: an HMAC of (activity, 60-second window) — nothing
    stored, 16 characters of Crockford base32."""
    mac = hmac.new(key, f"activity-checkin:{activity_id}:{window}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(mac[:10])
    return "".join(_TOKEN_ALPHABET[(number >> shift) & 31] for shift in range(75, -1, -5))


def token_valid(key: bytes, activity_id: str, token: str, real_now: datetime) -> bool:
    """The current window's token or the previous one's (a code scanned as it rotates)."""
    window = token_window(real_now)
    given = token.strip().upper().encode()
    return any(hmac.compare_digest(checkin_token(key, activity_id, w).encode(), given) for w in (window, window - 1))
