"""Street statistics (integrations.md §A): the period, the rates and the figures, computed from
the rollups' sums (``store/stats.py``). Pure: every definition lives here once, so
``docs/statistics.md`` and the brute-force test can be checked against one place.

A rate is ``numerator ÷ denominator`` with ``percent`` a two-place decimal string rounded
half-up, or None when the denominator is 0."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from domain.bookings import SpaceTerms, open_intervals, subtract
from domain.errors import RuleViolation

SCOPES = ("street", "community", "building")
GROUPINGS = ("community", "building", "month")
STAGES = ("collecting", "deliberating", "voting", "implementing", "evaluating", "closed")
TIMED_STAGES = STAGES[:-1]  # a closed proposal stays closed: no duration
OUTCOMES = ("adopted", "rejected", "no_quorum", "insufficient_support", "withdrawn", "dismissed", "duplicate")
MAX_DAYS = 366
TWO_PLACES = Decimal("0.01")


def two_places(value: Decimal | float) -> str:
    return str(Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> str | None:
        if self.denominator == 0:
            return None
        return two_places(Decimal(self.numerator) * 100 / Decimal(self.denominator))


@dataclass(frozen=True)
class Period:
    start: date  # inclusive, local dates in the place's time zone
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def whole_months(self) -> bool:
        """From the 1st of a month to the last day of a month."""
        last = calendar.monthrange(self.end.year, self.end.month)[1]
        return self.start.day == 1 and self.end.day == last

    @property
    def one_month(self) -> bool:
        """Exactly one calendar month: its distinct counts are read from the month's counters."""
        return self.whole_months and (self.start.year, self.start.month) == (self.end.year, self.end.month)

    def months(self) -> list[tuple[str, Period]]:
        """The calendar months the period touches, each clipped to the period."""
        found = []
        first = self.start.replace(day=1)
        while first <= self.end:
            last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            found.append((first.strftime("%Y-%m"), Period(max(first, self.start), min(last, self.end))))
            first = last + timedelta(days=1)
        return found


def period_of(today: date, start: date | None, end: date | None) -> Period:
    """Default: this month (in the place's time zone). A period runs forwards and spans at
    most a year, else 422 ``invalid_period``."""
    if start is None and end is None:
        start = today.replace(day=1)
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    elif start is None:
        assert end is not None
        start = end.replace(day=1)
    elif end is None:
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    period = Period(start, end)
    if end < start or period.days > MAX_DAYS:
        raise RuleViolation("invalid_period")
    return period


@dataclass(frozen=True)
class OpenSpace:
    timezone: str
    opening_hours: Mapping[str, list[str]]
    closures: tuple[tuple[datetime, datetime], ...] = ()
    community_id: str = ""
    building_id: str = ""  # "" for a community's space


def local_bounds(period: Period, timezone: str) -> tuple[datetime, datetime]:
    """The period as [start, end) instants: local midnight to the midnight after its last day."""
    zone = ZoneInfo(timezone)
    return (datetime.combine(period.start, time.min, tzinfo=zone),
            datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone))


def open_minutes(spaces: list[OpenSpace], period: Period, timezone: str) -> int:
    """Σ over the spaces of their opening hours in the period (the place's days), less closures.
    Spaces with the same hours (most of a street's: one template) are reckoned once."""
    start, end = local_bounds(period, timezone)
    alike: dict[tuple, int] = {}
    for space in spaces:
        key = (space.timezone, tuple(sorted((d, tuple(r)) for d, r in space.opening_hours.items())), space.closures)
        alike[key] = alike.get(key, 0) + 1
    total = 0.0
    for (zone, hours, closures), count in alike.items():
        terms = SpaceTerms(timezone=zone, opening_hours=dict(hours))
        for a, b in subtract(open_intervals(terms, start, end), closures):
            total += count * (b - a).total_seconds() / 60
    return round(total)


@dataclass(frozen=True)
class Sums:
    """What the rollups hold for one place and period."""

    counts: Mapping[str, float] = field(default_factory=dict)  # metric → Σ n
    households: int = 0  # households of the place at the end of the period
    acting_households: int = 0
    active_persons: int = 0
    medians: Mapping[str, float] = field(default_factory=dict)  # duration metric → median
    open_minutes: int = 0
    awareness: tuple[int, int] = (0, 0)  # (acknowledged, households) over the announcements
    questions: tuple[int, int, float | None] = (0, 0, None)  # (asked, first answered, median hours)


def _median(value: float | None) -> str | None:
    """A median of durations kept in seconds, computed in floating point: rounded to nine
    places first (well inside the float's error, well below a second), so that a value that is
    exactly on a half cent rounds up however the float came out."""
    return None if value is None else two_places(round(Decimal(value), 9))


def figures(sums: Sums) -> dict:
    """Every figure of a place and period, as the wire shows it (rates as ``Rate``)."""
    c = {k: round(v) for k, v in sums.counts.items()}
    ratings = c.get("ratings", 0)
    return {
        # Σ acknowledged households ÷ Σ households frozen at publishing, over the announcements
        # that ask for acknowledgement, were published in the period (not withdrawn since), and
        # reached the place (their part in each building of it)
        "awareness_rate": Rate(*sums.awareness),
        "awareness_rate_reason": None,
        "households": sums.households,
        "participation_rate": Rate(sums.acting_households, sums.households),
        "active_residents": sums.active_persons,
        "satisfaction_rate": Rate(c.get("ratings_satisfied", 0), ratings),
        "satisfaction_mean": two_places(Decimal(c.get("ratings_sum", 0)) / ratings) if ratings else None,
        "reports": {
            "received": c.get("reports_received", 0),
            "resolved": c.get("reports_resolved", 0),
            "urgent": c.get("reports_urgent", 0),
            "resolution_rate": Rate(c.get("reports_received_resolved", 0), c.get("reports_received", 0)),
            "median_hours_to_resolve": _median(sums.medians.get("report_resolution_hours")),
        },
        "tasks": {
            "created": c.get("tasks_created", 0),
            "open": c.get("tasks_open", 0),
            "done": c.get("tasks_done", 0),
            "overdue": c.get("tasks_overdue", 0),
            "escalated_community": c.get("tasks_escalated_community", 0),
            "escalated_street": c.get("tasks_escalated_street", 0),
            "on_time_rate": Rate(c.get("tasks_done_on_time", 0), c.get("tasks_done", 0)),
        },
        "proposals": {
            "created": c.get("proposals_created", 0),
            "by_stage": {s: c.get(f"proposals_stage:{s}", 0) for s in STAGES},
            "by_outcome": {o: c.get(f"proposals_outcome:{o}", 0) for o in OUTCOMES},
            "adoption_rate": Rate(c.get("votes_adopted", 0), c.get("votes_decided", 0)),
            "median_days_in_stage": {s: _median(sums.medians.get(f"stage_days:{s}")) for s in TIMED_STAGES},
        },
        "bookings": {
            "count": c.get("bookings", 0),
            "no_show_rate": Rate(c.get("bookings_no_show", 0), c.get("bookings_settled", 0)),
            "utilisation": Rate(c.get("booked_minutes", 0), sums.open_minutes),
        },
        "questions": {
            "asked": sums.questions[0],
            "answered": sums.questions[1],
            "median_hours_to_first_answer": _median(sums.questions[2]),
        },
        "activities": {
            "held": c.get("activities_held", 0),
            "attendance": c.get("activity_attendances", 0),
        },
        "needs_met": c.get("needs_met", 0),
    }


@dataclass(frozen=True)
class Group:
    key: str  # a community or building id, or a month YYYY-MM
    name: str | None
    figures: dict


@dataclass(frozen=True)
class Turnout:
    vote_id: str
    subject_type: str
    subject_id: str
    community_id: str | None
    building_id: str | None
    closes_at: datetime
    turnout: Rate


@dataclass(frozen=True)
class Statistics:
    scope: str
    place_id: str
    timezone: str
    period: Period
    group_by: str | None
    figures: dict
    groups: list[Group]
    votes: list[Turnout]
