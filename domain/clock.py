"""Business time: the time deadlines, schedules and due jobs are judged by.

It is the real clock plus the offset of the test clock (resources.md §6), which only exists
in test and development configurations and only moves forward; in production the offset is
always zero. Security time — token expiry, webhook timestamps, rate-limit windows — never
uses this: it always reads the real clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.errors import InvalidInput

# One advance may move the clock by at most a year: enough for any deadline of the service,
# small enough that a typo cannot throw business time into the next century.
MAX_ADVANCE_SECONDS = 366 * 24 * 3600
# In all, business time stays within a century of real time (dates stay far from year 9999).
MAX_OFFSET_SECONDS = 100 * 366 * 24 * 3600


def real_now() -> datetime:
    return datetime.now(UTC)


def business_now(real: datetime, offset_seconds: int) -> datetime:
    return real + timedelta(seconds=offset_seconds)


def check_advance(advance_seconds: int) -> int:
    """The clock only moves forward, by at most MAX_ADVANCE_SECONDS at a time."""
    if not 0 < advance_seconds <= MAX_ADVANCE_SECONDS:
        raise InvalidInput("body.advance_seconds", "out_of_range", min=1, max=MAX_ADVANCE_SECONDS)
    return advance_seconds


def offset_too_far() -> InvalidInput:
    return InvalidInput("body.advance_seconds", "out_of_range", min=1, max=MAX_OFFSET_SECONDS)
