"""The event feed: the relay that numbers committed events, the street's page of them, and
their retention.

Why a relay: ``seq`` values are taken at insert but their transactions commit in any order,
so a reader paging by ``seq`` could pass number 7 while the transaction holding number 6 is
still running, and never see 6. The relay instead gives *committed* events a ``position``,
one relay at a time (the ``event_relay`` row is its lock) and each relay's numbers above all
earlier ones. Positions appear together at the relay's commit and only grow, so a reader
paging by ``position`` sees every committed event exactly once, in order, and never a
rolled-back one — and writers never wait for each other, only the relay is serialised."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.events import Event, Relayed
from store.rows import models

EVENT_COLUMNS = ("e.id, e.type, e.occurred_at, e.street_id, e.community_id, e.building_id, "
                 "e.subject_type, e.subject_id, e.data, e.position")

# The type filter rule of domain/events.py `matches`, in SQL: no filter, the exact type, or
# the resource's wildcard.
_TYPE_MATCH = ("(cardinality({f}) = 0 OR {t} = ANY ({f}) "
               "OR split_part({t}, '.', 1) || '.*' = ANY ({f}))")


async def has_unnumbered(conn: asyncpg.Connection) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM events WHERE position IS NULL)")


async def lock_relay(conn: asyncpg.Connection) -> int | None:
    """In a transaction: take the relay's lock and return the last position given, or None
    when another relay holds it (that relay will number what this one would have)."""
    return await conn.fetchval("SELECT last_position FROM event_relay FOR UPDATE SKIP LOCKED")


async def number_events(conn: asyncpg.Connection, last_position: int, limit: int) -> list[Relayed]:
    """Number up to ``limit`` committed, unnumbered events in ``seq`` order, after
    ``last_position``. Returns one row per (event, matching enabled webhook endpoint of its
    street), or one without an endpoint for an event no endpoint wants."""
    return models(Relayed, await conn.fetch(
        f"""
        WITH batch AS (
            SELECT seq, $1::bigint + row_number() OVER (ORDER BY seq) AS position
            FROM (SELECT seq FROM events WHERE position IS NULL ORDER BY seq LIMIT $2) unnumbered
        ), numbered AS (
            UPDATE events e SET position = b.position FROM batch b WHERE e.seq = b.seq
            RETURNING e.id, e.street_id, e.type, e.position, e.subject_type, e.data
        )
        SELECT n.id AS event_id, n.street_id, n.type, n.position, w.id AS endpoint_id
        FROM numbered n
        LEFT JOIN webhook_endpoints w
               ON w.street_id = n.street_id AND w.enabled AND w.deleted_at IS NULL
              AND {_TYPE_MATCH.format(f="w.event_types", t="n.type")}
              -- a bulk import's row events reach only endpoints that name their type: a
              -- catch-all endpoint is not flooded with 500,000 household.created
              AND (cardinality(w.event_types) > 0 OR NOT (n.data ? 'import_id') OR n.subject_type = 'import')
        ORDER BY n.position, w.id
        """,
        last_position, limit,
    ))


async def set_last_position(conn: asyncpg.Connection, position: int) -> None:
    await conn.execute(
        "UPDATE event_relay SET last_position = $1, relayed_at = clock_timestamp()", position)


async def page(conn: asyncpg.Connection, street_id: str, *, after: int, types: list[str],
               limit: int) -> list[Event]:
    """The street's numbered events after position ``after``, oldest first (``limit`` + 1
    rows, to tell whether more follow)."""
    return models(Event, await conn.fetch(
        f"""SELECT {EVENT_COLUMNS} FROM events e
            WHERE e.street_id = $1 AND e.position > $2
              AND {_TYPE_MATCH.format(f="$3::text[]", t="e.type")}
            ORDER BY e.position LIMIT $4""",
        street_id, after, types, limit + 1,
    ))


async def delete_older_than(conn: asyncpg.Connection, cutoff: datetime, batch: int) -> int:
    """Delete up to ``batch`` numbered events that occurred before ``cutoff`` (their
    deliveries go with them)."""
    status = await conn.execute(
        """DELETE FROM events WHERE seq IN (
               SELECT seq FROM events WHERE occurred_at < $1 AND position IS NOT NULL LIMIT $2)""",
        cutoff, batch,
    )
    return int(status.split()[-1])
