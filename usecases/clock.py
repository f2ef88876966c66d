"""Business time for one process (domain/clock.py says what it is).

The offset lives in PostgreSQL so that the API and every worker share one clock. The API
reads it at most every ``ttl`` seconds (a request should not pay a query for it); the worker
reads it on every poll (``ttl=0``), so an advance is acted on within one poll."""

from __future__ import annotations

import time
from datetime import datetime

import asyncpg

from domain import clock as rules
from store import clock as offsets


class BusinessClock:
    def __init__(self, *, enabled: bool, ttl: float = 0.5) -> None:
        self.enabled = enabled  # False in production: the offset is never read, always 0
        self.ttl = ttl
        self._offset = 0
        self._read_at = float("-inf")

    async def now(self, conn: asyncpg.Connection) -> datetime:
        if self.enabled and time.monotonic() - self._read_at >= self.ttl:
            self._offset = await offsets.offset_seconds(conn)
            self._read_at = time.monotonic()
        return rules.business_now(rules.real_now(), self._offset)

    async def advance(self, conn: asyncpg.Connection, seconds: int) -> datetime:
        offset = await offsets.advance(conn, rules.check_advance(seconds), rules.MAX_OFFSET_SECONDS)
        if offset is None:
            raise rules.offset_too_far()
        self._offset, self._read_at = offset, time.monotonic()
        return rules.business_now(rules.real_now(), self._offset)

    @property
    def offset_seconds(self) -> int:
        """The offset as last read."""
        return self._offset

    def forget(self) -> None:
        """Read the offset again at the next call (tests that reset it)."""
        self._read_at = float("-inf")
