"""The booking rules of a shared space, as pure functions: opening hours in the space's time
zone, the slot grid, the booking window, and availability (free ranges) computed from the
same definitions the booking check uses, so the two can never disagree.

Times are aware datetimes; every interval is half-open [start, end). Opening hours are wall
times in the space's zone (`zoneinfo`): a day's ranges are turned into instants day by day,
so a daylight-saving change moves them with the clock on the wall. The grid is wall-clock
too: a time is on the grid when its local minutes since midnight are a multiple of the slot
(slots divide an hour, so a whole-hour DST shift keeps the grid)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import Conflict, Forbidden, RuleViolation
from domain.permissions import Actor, Place

UTC = UTC
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT_CHOICES = (5, 10, 15, 20, 30, 60)
WHO_CAN_BOOK = ("building", "community", "street")
ACTIVE = ("pending", "confirmed", "checked_in")  # the statuses that hold the space
CHECK_IN_BEFORE = timedelta(minutes=15)
CHECK_IN_AFTER = timedelta(minutes=15)  # not checked in by then: no_show
NO_SHOW_LIMIT, NO_SHOW_WINDOW, SUSPENSION = 3, timedelta(days=30), timedelta(days=14)
MAX_AVAILABILITY_SPAN = timedelta(days=31)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class SpaceRules:
    slot_minutes: int = 30
    min_minutes: int = 30
    max_minutes: int = 240
    book_ahead_max_days: int = 14
    book_ahead_min_minutes: int = 60
    cancel_before_minutes: int = 60
    weekly_quota_minutes: int | None = None  # per household; None: no quota
    requires_approval: bool = False
    who_can_book: str = "building"
    partner_organization_ids: tuple[str, ...] = ()

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> SpaceRules:
        known = {k: v for k, v in stored.items() if k in cls.__dataclass_fields__}
        if "partner_organization_ids" in known:
            known["partner_organization_ids"] = tuple(known["partner_organization_ids"])
        return cls(**known)

    def changed(self, changes: Mapping[str, Any]) -> SpaceRules:
        rules = replace(self, **{k: (tuple(v) if k == "partner_organization_ids" else v)
                                 for k, v in changes.items()})
        rules.check()
        return rules

    def check(self) -> None:
        if (self.slot_minutes not in SLOT_CHOICES or self.who_can_book not in WHO_CAN_BOOK
                or self.min_minutes % self.slot_minutes or self.max_minutes % self.slot_minutes
                or not 0 < self.min_minutes <= self.max_minutes):
            raise RuleViolation("invalid_space_rules")

    def to_stored(self) -> dict[str, Any]:
        stored = dict(self.__dict__)
        stored["partner_organization_ids"] = list(self.partner_organization_ids)
        return stored


@dataclass(frozen=True)
class SpaceTerms:
    """Everything about a space that decides whether a time may be booked."""

    timezone: str
    opening_hours: Mapping[str, Sequence[str]]  # "mon" → ["08:00-22:00", …]
    closures: Sequence[Interval] = ()
    rules: SpaceRules = field(default_factory=SpaceRules)
    capacity: int = 10

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# Opening hours

def parse_range(text: str) -> tuple[time, time | None]:
    """"08:00-22:00" → (08:00, 22:00); an end of 24:00 is None (the next midnight)."""
    start_text, end_text = text.split("-")
    start = time.fromisoformat(start_text)
    end = None if end_text == "24:00" else time.fromisoformat(end_text)
    return start, end


def check_opening_hours(hours: Mapping[str, Sequence[str]]) -> None:
    for day, ranges in hours.items():
        if day not in WEEKDAYS:
            raise RuleViolation("invalid_opening_hours")
        parsed = sorted(parse_range(r) for r in ranges)
        previous_end: time | None = time.min
        for start, end in parsed:
            if previous_end is None or start < previous_end or (end is not None and end <= start):
                raise RuleViolation("invalid_opening_hours")
            previous_end = end


def _local(day: date, at: time | None, zone: ZoneInfo) -> datetime:
    if at is None:
        day, at = day + timedelta(days=1), time.min
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def open_intervals(terms: SpaceTerms, start: datetime, end: datetime) -> list[Interval]:
    """The opening hours between ``start`` and ``end``, as merged UTC intervals."""
    zone = terms.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found: list[Interval] = []
    while day <= last:
        for text in terms.opening_hours.get(WEEKDAYS[day.weekday()], ()):
            opens, closes = parse_range(text)
            found.append((_local(day, opens, zone), _local(day, closes, zone)))
        day += timedelta(days=1)
    return clip(merge(found), start, end)


# Interval arithmetic

def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(a, start), min(b, end)) for a, b in intervals if max(a, start) < min(b, end)]


def subtract(intervals: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    result = list(intervals)
    for hole_start, hole_end in merge(holes):
        pieces: list[Interval] = []
        for start, end in result:
            if hole_end <= start or end <= hole_start:
                pieces.append((start, end))
                continue
            if start < hole_start:
                pieces.append((start, hole_start))
            if hole_end < end:
                pieces.append((hole_end, end))
        result = pieces
    return result


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# The slot grid

def on_grid(moment: datetime, slot_minutes: int, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone)
    return local.second == 0 and local.microsecond == 0 and (local.hour * 60 + local.minute) % slot_minutes == 0


def grid_ceil(moment: datetime, slot_minutes: int, zone: ZoneInfo) -> datetime:
    candidate = moment
    if candidate.second or candidate.microsecond:
        candidate = candidate.replace(second=0, microsecond=0) + timedelta(minutes=1)
    local = candidate.astimezone(zone)
    candidate += timedelta(minutes=-(local.hour * 60 + local.minute) % slot_minutes)
    while not on_grid(candidate, slot_minutes, zone):  # only across an odd offset change
        candidate += timedelta(minutes=1)
    return candidate


def grid_floor(moment: datetime, slot_minutes: int, zone: ZoneInfo) -> datetime:
    candidate = moment.replace(second=0, microsecond=0)
    local = candidate.astimezone(zone)
    candidate -= timedelta(minutes=(local.hour * 60 + local.minute) % slot_minutes)
    while not on_grid(candidate, slot_minutes, zone):
        candidate -= timedelta(minutes=1)
    return candidate


# The booking window and the check of one request

def exempt(leader: bool) -> bool:
    """Who is exempt from the booking window, the weekly quota and approval: a leader of the
    space's place (resources.md §4), for single bookings and series alike. Leaders approve
    bookings themselves, so theirs is confirmed at once."""
    return leader


def initial_status(rules: SpaceRules, *, exempt: bool) -> str:
    return "pending" if rules.requires_approval and not exempt else "confirmed"


def over_quota(rules: SpaceRules, used_minutes: float, start: datetime, end: datetime, *, exempt: bool) -> bool:
    """Whether [start, end) would take a household past its weekly quota, given the minutes
    it already holds in that quota week (``quota_week``). Exempt bookers have no quota."""
    quota = rules.weekly_quota_minutes
    if quota is None or exempt:
        return False
    return used_minutes + (end - start) / timedelta(minutes=1) > quota


def booking_window(rules: SpaceRules, now: datetime, *, exempt: bool = False) -> Interval:
    """Bookings lie in [now + min notice, now + max days]; leaders are exempt from the window
    (but never book the past)."""
    if exempt:
        return now, datetime.max.replace(tzinfo=UTC)
    return now + timedelta(minutes=rules.book_ahead_min_minutes), now + timedelta(days=rules.book_ahead_max_days)


def rule_violation(terms: SpaceTerms, start: datetime, end: datetime, now: datetime, *,
                   attendees: int = 1, exempt: bool = False) -> str | None:
    """The code of the first rule a booking of [start, end) breaks, or None. Quota,
    suspension, eligibility and conflicts need the database and are checked by the caller."""
    rules, zone = terms.rules, terms.zone
    if attendees > terms.capacity:
        return "over_capacity"
    if not (on_grid(start, rules.slot_minutes, zone) and on_grid(end, rules.slot_minutes, zone)):
        return "off_slot_grid"
    minutes = (end - start) / timedelta(minutes=1)
    if minutes < rules.min_minutes:
        return "too_short"
    if minutes > rules.max_minutes:
        return "too_long"
    earliest, latest = booking_window(rules, now, exempt=exempt)
    if start < earliest:
        return "too_late_to_book"
    if end > latest:
        return "too_far_ahead"
    inside = subtract(open_intervals(terms, start, end), terms.closures)
    if inside != [(start, end)]:
        return "outside_opening_hours"
    return None


def free_ranges(terms: SpaceTerms, start: datetime, end: datetime, now: datetime,
                busy: Iterable[Interval]) -> list[Interval]:
    """Availability: the parts of [start, end) that are open, not closed, not booked and in
    the booking window, cut to the slot grid and at least the minimum length. Any grid-aligned
    part of one of them within min/max length passes ``rule_violation``."""
    rules, zone = terms.rules, terms.zone
    earliest, latest = booking_window(rules, now)
    window_start, window_end = max(start, earliest), min(end, latest)
    if window_start >= window_end:
        return []
    free = subtract(open_intervals(terms, window_start, window_end), [*terms.closures, *busy])
    result = []
    for a, b in free:
        a, b = grid_ceil(a, rules.slot_minutes, zone), grid_floor(b, rules.slot_minutes, zone)
        if b - a >= timedelta(minutes=rules.min_minutes):
            result.append((a.astimezone(UTC), b.astimezone(UTC)))
    return result


def occurrences(start: datetime, end: datetime, count: int, zone: ZoneInfo) -> list[Interval]:
    """A weekly series: the same wall-clock times each week (DST-safe)."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    result = []
    for week in range(count):
        shift = timedelta(weeks=week)
        result.append(((local_start.replace(tzinfo=None) + shift).replace(tzinfo=zone).astimezone(UTC),
                       (local_end.replace(tzinfo=None) + shift).replace(tzinfo=zone).astimezone(UTC)))
    return result


def quota_week(moment: datetime, zone: ZoneInfo) -> Interval:
    """The local week (Monday 00:00 to Monday 00:00) a booking counts against."""
    monday = moment.astimezone(zone).date() - timedelta(days=moment.astimezone(zone).weekday())
    return _local(monday, time.min, zone), _local(monday + timedelta(days=7), time.min, zone)


def may_check_in(start: datetime, now: datetime) -> bool:
    return start - CHECK_IN_BEFORE <= now <= start + CHECK_IN_AFTER


def may_cancel(rules: SpaceRules, start: datetime, now: datetime) -> bool:
    return now <= start - timedelta(minutes=rules.cancel_before_minutes)


# A booking and its status machine

@dataclass(frozen=True, slots=True)
class Booking:
    id: str
    street_id: str
    space_id: str
    community_id: str
    building_id: str | None
    household_id: str | None
    organization_id: str | None
    person_id: str | None
    series_id: str | None
    start_at: datetime
    end_at: datetime
    purpose: str
    attendees: int
    status: str
    confirmed_at: datetime | None
    checked_in_at: datetime | None
    completed_at: datetime | None
    rejected_at: datetime | None
    cancelled_at: datetime | None
    no_show_at: datetime | None
    created_at: datetime
    updated_at: datetime


def manages(actor: Actor, booking: Booking) -> bool:
    """The leaders of the booking's place approve, reject and cancel any booking there."""
    return actor.leader_of(Place(booking.street_id, community_id=booking.community_id,
                                 building_id=booking.building_id))


def is_booker(actor: Actor, booking: Booking) -> bool:
    """The person who booked, or a member of the household it is for."""
    return (actor.person_id is not None and booking.person_id == actor.person_id) or (
        booking.household_id is not None and booking.household_id in actor.grants.households)


def may_see_booking(actor: Actor, booking: Booking) -> bool:
    return is_booker(actor, booking) or manages(actor, booking)


# Moves only the service makes (a no-show after the check-in window, completion at the end).
BY_SERVICE_ONLY = ("no_show", "completed")


def check_transition(booking: Booking, wanted: str, now: datetime, *, leader: bool, booker: bool,
                     rules: SpaceRules | None) -> None:
    """Whether a caller may move ``booking`` to ``wanted`` now, in the order the answers are
    given: who (403 ``not_allowed``: confirming and rejecting are for leaders, checking in for
    the booker), then the status machine (409), then time (422: a booker cancels only before
    the notice of the space's ``rules``, which a booker's cancellation needs; check-in only in
    its window). Raises; returns when allowed."""
    if wanted in ("confirmed", "rejected") and not leader:
        raise Forbidden("not_allowed")
    if wanted == "checked_in" and not booker:
        raise Forbidden("not_allowed")
    if not may_move(booking.status, wanted) or wanted in BY_SERVICE_ONLY:
        raise Conflict("booking_transition_not_allowed")
    if needs_cancel_notice(wanted, leader=leader):
        if rules is None:
            raise ValueError("a booker's cancellation is checked against the space's rules")
        if not may_cancel(rules, booking.start_at, now):
            raise RuleViolation("cancel_too_late")
    if wanted == "checked_in" and not may_check_in(booking.start_at, now):
        raise RuleViolation("not_in_check_in_window")


def needs_cancel_notice(wanted: str, *, leader: bool) -> bool:
    """Whether the move is a booker's cancellation, which the space's notice rule governs."""
    return wanted == "cancelled" and not leader


TRANSITIONS = {
    "pending": {"confirmed", "rejected", "cancelled"},
    "confirmed": {"cancelled", "checked_in", "no_show"},
    "checked_in": {"completed"},
}


def may_move(current: str, wanted: str) -> bool:
    return wanted in TRANSITIONS.get(current, set())
