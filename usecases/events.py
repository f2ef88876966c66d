"""The event feed and its relay, and scheduling an event for a business time (its job:
``usecases/events_jobs.py``)."""

from __future__ import annotations

import base64
import binascii
import struct
from datetime import datetime
from typing import Any

import asyncpg
from cryptography.exceptions import InvalidTag

from domain.events import Event, can_read_events
from domain.permissions import Principal
from store import feed
from store.events import Subject
from usecases import webhooks
from usecases.crypto import Sealer
from usecases.events_jobs import EMIT_EVENT_JOB, EmitEvent, EventSubject
from usecases.kernel import schedule_job

RELAY_BATCH = 5000


async def relay(conn: asyncpg.Connection, now: datetime, limit: int = RELAY_BATCH) -> int:
    """Number committed events for the feed and create their webhook deliveries (due at
    ``now``, business time) in one transaction, so an event is in the feed exactly when its
    deliveries exist. Returns how many events were numbered: 0 as well when another relay
    holds the lock, since that one numbers them."""
    async with conn.transaction():
        last = await feed.lock_relay(conn)
        if last is None:
            return 0
        numbered = await feed.number_events(conn, last, limit)
        if not numbered:
            return 0
        await webhooks.fan_out(conn, [(e.street_id, e.endpoint_id, e.event_id, e.type)
                                      for e in numbered if e.endpoint_id is not None], now)
        top = numbered[-1].position
        await feed.set_last_position(conn, top)
        return top - last


# The feed's cursor. A position numbers the events of every street together, so a plain
# position would let a street count the others' activity between two reads. The cursor seals
# it (AES-GCM, a fresh nonce each time) bound to the street: it reveals nothing, two cursors
# cannot be compared, and another street's or a tampered cursor does not open.
_CURSOR_CONTEXT = b"events.cursor:"
CURSOR_LENGTH = 48  # base64url of nonce (12) + sealed position (8) + tag (16), unpadded
CURSOR_PATTERN = rf"^[A-Za-z0-9_-]{{{CURSOR_LENGTH}}}$"


def seal_cursor(sealer: Sealer, street_id: str, position: int) -> str:
    sealed = sealer.seal(struct.pack(">Q", position), _CURSOR_CONTEXT + street_id.encode())
    return base64.urlsafe_b64encode(sealed).decode()


def open_cursor(sealer: Sealer, street_id: str, cursor: str) -> int | None:
    """The position a cursor of ``street_id`` seals, or None for any other string."""
    if len(cursor) != CURSOR_LENGTH:
        return None
    try:
        sealed = base64.urlsafe_b64decode(cursor.encode("ascii"))
        plain = sealer.open(sealed, _CURSOR_CONTEXT + street_id.encode())
    except (binascii.Error, ValueError, UnicodeEncodeError, InvalidTag):
        return None
    return struct.unpack(">Q", plain)[0] if len(plain) == 8 else None


async def list_events(conn: asyncpg.Connection, who: Principal, *, after: int, types: list[str],
                      limit: int, now: datetime) -> list[Event]:
    """The street's events after position ``after``, oldest first. Relays first (when there
    is anything to number), so the feed is current even when no worker runs."""
    can_read_events(who)
    if await feed.has_unnumbered(conn):
        await relay(conn, now)
    return await feed.page(conn, who.street_id, after=after, types=types, limit=limit)


async def schedule_event(conn: asyncpg.Connection, *, street_id: str, run_at: datetime, type: str,
                         subject: Subject, data: dict[str, Any], community_id: str | None = None,
                         building_id: str | None = None, dedupe_key: str | None = None) -> str | None:
    """Emit an event at a business time (in the caller's transaction)."""
    payload = EmitEvent(type=type, subject=EventSubject(subject.type, subject.id), data=data,
                        community_id=community_id, building_id=building_id)
    return await schedule_job(conn, EMIT_EVENT_JOB, run_at, payload, street_id=street_id, dedupe_key=dedupe_key)
