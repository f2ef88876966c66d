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

