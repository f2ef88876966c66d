"""Public-welfare points (公益积分) on the ledger (domain/ledger.py), and a street's settings
(积分细则): why points move, what counts as earned, the leaders' daily award cap, the yearly
expiry and the leaderboard's periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.errors import RuleViolation

LEDGER = "points"
REASONS = ("task_verified", "activity_attended", "volunteer_hours", "award", "campaign_prize", "redemption",
           "expiry", "erasure", "correction")
EARNING = frozenset({"task_verified", "activity_attended", "volunteer_hours", "award", "campaign_prize"})
AWARD_REASONS = ("award", "volunteer_hours")
PERIODS = ("month", "year", "all")
# A street's settings until it changes them (the column defaults of street_settings say the same).
DEFAULT_SETTINGS: dict[str, object] = {
    "points_expiry": "none", "points_expiry_grace_days": 0, "award_cap_per_leader_per_day": 100,
    "max_points_per_attendee": 50, "fund_two_approvers": False, "fund_street_signoff_above_fen": None,
    "fund_publicity_days": 3, "extra_talent_tags": []}


@dataclass(frozen=True, slots=True)
class StreetSettings:
    street_id: str
    points_expiry: str  # none | calendar_year
    points_expiry_grace_days: int
    award_cap_per_leader_per_day: int
    max_points_per_attendee: int
    fund_two_approvers: bool
    fund_street_signoff_above_fen: int | None
    fund_publicity_days: int
    extra_talent_tags: list[str]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Standing:
    """A line of a leaderboard."""

    person_id: str
    real_name: str | None
    nickname: str | None
    points: int
    rank: int


def check_award(awarded_today: int, amount: int, cap: int) -> None:
    """A leader's awards of one day (in the street's time zone) stay within the cap."""
    if awarded_today + amount > cap:
        raise RuleViolation("award_cap_reached", {"cap": cap, "awarded_today": awarded_today})


def day_bounds(moment: datetime, zone: str) -> tuple[datetime, datetime]:
    """The street-local day containing ``moment``, as [start, end)."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz).date()
    start = datetime(local.year, local.month, local.day, tzinfo=tz)
    return start, datetime.combine(local + timedelta(days=1), datetime.min.time(), tzinfo=tz)


def expiry_due_at(year: int, grace_days: int, zone: str) -> datetime:
    """When the points of years before ``year − 1`` expire: 00:00 on 1 January of ``year``
    plus the grace days, in the street's time zone."""
    return datetime(year, 1, 1, tzinfo=ZoneInfo(zone)) + timedelta(days=grace_days)


def next_expiry(now: datetime, grace_days: int, zone: str) -> tuple[int, datetime]:
    """The first expiry run after ``now``: (the year of its 1 January, when it runs)."""
    year = now.astimezone(ZoneInfo(zone)).year - 1  # a long grace: last year's run may be still to come
    while (due := expiry_due_at(year, grace_days, zone)) <= now:
        year += 1
    return year, due


def year_that_ended_starts(run_year: int, zone: str) -> datetime:
    """1 January of the year that ended before the run of ``run_year``."""
    return datetime(run_year - 1, 1, 1, tzinfo=ZoneInfo(zone))


def expiring(available: int, earned_since: int) -> int:
    """What a person loses: max(0, available − points earned since 1 January of the year that
    ended) — the points they earned in that year and since are kept."""
    return max(0, available - earned_since)


def period_start(period: str, now: datetime, zone: str) -> datetime | None:
    """The start of a leaderboard period in the street's time zone (None: all time)."""
    local = now.astimezone(ZoneInfo(zone))
    if period == "month":
        return datetime(local.year, local.month, 1, tzinfo=ZoneInfo(zone))
    if period == "year":
        return datetime(local.year, 1, 1, tzinfo=ZoneInfo(zone))
    return None
