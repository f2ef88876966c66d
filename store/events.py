"""The transactional outbox. Every write calls ``append_event`` on the connection of its own
transaction, so an event exists exactly when its change committed. The outbox keeps free
text out of every payload (``domain.events.without_free_text``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from domain.events import without_free_text
from domain.ids import new_id


@dataclass(frozen=True)
class Subject:
    type: str
    id: str


async def append_event(
    conn: asyncpg.Connection,
    *,
    type: str,
    street_id: str,
    subject: Subject,
    data: dict[str, Any],
    community_id: str | None = None,
    building_id: str | None = None,
    occurred_at: datetime | None = None,
) -> str:
    event_id = new_id("event")
    await conn.execute(
        """
        INSERT INTO events (id, street_id, type, occurred_at, community_id, building_id,
                            subject_type, subject_id, data)
        VALUES ($1, $2, $3, coalesce($4, clock_timestamp()), $5, $6, $7, $8, $9)
        """,
        event_id, street_id, type, occurred_at, community_id, building_id,
        subject.type, subject.id, without_free_text(data),
    )
    return event_id


async def append_events(conn: asyncpg.Connection, events: list[tuple[str, str, str | None, str | None, Subject,
                                                                  dict[str, Any]]]) -> int:
    """Append many events in one statement (a bulk import's rows): each is (type, street id,
    community id, building id, subject, data). Same outbox, same rules as ``append_event``."""
    if not events:
        return 0
    columns: list[list[Any]] = [[], [], [], [], [], [], [], []]
    for type_, street_id, community_id, building_id, subject, data in events:
        for column, value in zip(columns, (new_id("event"), street_id, type_, community_id, building_id,
                                           subject.type, subject.id, without_free_text(data)), strict=True):
            column.append(value)
    await conn.execute(
        """INSERT INTO events (id, street_id, type, occurred_at, community_id, building_id,
                               subject_type, subject_id, data)
           SELECT id, street_id, type, clock_timestamp(), community_id, building_id, subject_type, subject_id, data
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::jsonb[]) AS e (id, street_id, type, community_id, building_id, subject_type,
                                          subject_id, data)""",
        *columns)
    return len(events)
