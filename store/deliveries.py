"""Webhook deliveries: one per (event, endpoint), its attempts logged on the row.

The worker claims a due delivery with ``FOR UPDATE SKIP LOCKED`` and keeps that row lock
while it calls the receiver, then records the attempt and commits. Two workers can never
hold the same delivery, and a worker that dies (even by SIGKILL) loses its connection, so
PostgreSQL releases the lock at once and the delivery is due again — no lease to wait out."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import asyncpg

from domain.events import Event
from domain.webhooks import DeliveryClaim, WebhookDelivery
from store.feed import EVENT_COLUMNS
from store.paging import Keyset, keyset_sql
from store.rows import model, models

_COLUMNS = ("d.id, d.street_id, d.endpoint_id, d.event_id, d.event_type, d.status, d.attempts, "
            "d.next_attempt_at, d.first_attempt_at, d.last_attempt_at, d.last_status_code, "
            "d.last_error, d.log, d.created_at, d.updated_at")


async def insert_many(conn: asyncpg.Connection, rows: list[tuple[str, str, str, str, str]],
                      next_attempt_at: datetime) -> None:
    """(id, street_id, endpoint_id, event_id, event_type) rows, due at ``next_attempt_at``."""
    if not rows:
        return
    columns = list(zip(*rows))
    await conn.execute(
        """INSERT INTO webhook_deliveries (id, street_id, endpoint_id, event_id, event_type, next_attempt_at)
           SELECT id, street_id, endpoint_id, event_id, event_type, $6
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                AS r (id, street_id, endpoint_id, event_id, event_type)
           ON CONFLICT (endpoint_id, event_id) DO NOTHING""",
        *[list(column) for column in columns], next_attempt_at,
    )


async def page(conn: asyncpg.Connection, endpoint_id: str, keyset: Keyset, *,
               status: str | None = None) -> list[WebhookDelivery]:
    params: list[Any] = [endpoint_id]
    filters = ["d.endpoint_id = $1"]
    if status is not None:
        params.append(status)
        filters.append(f"d.status = ${len(params)}")
    condition, order = keyset_sql(keyset, "d", params)
    return models(WebhookDelivery, await conn.fetch(
        f"SELECT {_COLUMNS} FROM webhook_deliveries d WHERE {' AND '.join(filters)} AND {condition} {order}",
        *params,
    ))


async def get_for_retry(conn: asyncpg.Connection, street_id: str,
                        delivery_id: str) -> tuple[WebhookDelivery, bool] | None:
    """The delivery and whether its endpoint is enabled, row-locked; raises
    LockNotAvailableError while a worker is delivering it (the API never waits on a receiver)."""
    record = await conn.fetchrow(
        f"""SELECT {_COLUMNS}, w.enabled AS endpoint_enabled
            FROM webhook_deliveries d
            JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.deleted_at IS NULL
            WHERE d.id = $1 AND d.street_id = $2
            FOR UPDATE OF d NOWAIT""",
        delivery_id, street_id,
    )
    return None if record is None else (model(WebhookDelivery, record), record["endpoint_enabled"])


async def schedule_now(conn: asyncpg.Connection, delivery_id: str, now: datetime) -> WebhookDelivery:
    return model(WebhookDelivery, await conn.fetchrow(
        f"""UPDATE webhook_deliveries AS d
            SET status = 'pending', next_attempt_at = $2, updated_at = clock_timestamp()
            WHERE d.id = $1 RETURNING {_COLUMNS}""",
        delivery_id, now,
    ))


async def cancel_pending(conn: asyncpg.Connection, endpoint_id: str, reason: str) -> int:
    """Cancel the endpoint's waiting deliveries (it was disabled or deleted); one in flight
    is skipped, not waited for, and finishes on its own."""
    status = await conn.execute(
        """UPDATE webhook_deliveries SET status = 'cancelled', last_error = $2, next_attempt_at = NULL,
                  updated_at = clock_timestamp()
           WHERE id IN (SELECT id FROM webhook_deliveries
                        WHERE endpoint_id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED)""",
        endpoint_id, reason,
    )
    return int(status.split()[-1])


async def claim(conn: asyncpg.Connection, now: datetime, busy_endpoints: list[str]) -> DeliveryClaim | None:
    """In a transaction: lock one due delivery of an enabled endpoint (not one this process is
    already calling), with what it takes to send it."""
    record = await conn.fetchrow(
        f"""SELECT d.id AS delivery_id, d.endpoint_id, d.attempts, d.first_attempt_at, d.log,
                   w.url, w.secret_sealed, w.previous_secret_sealed, w.previous_secret_expires_at,
                   w.failing_since, {EVENT_COLUMNS}
            FROM webhook_deliveries d
            JOIN webhook_endpoints w ON w.id = d.endpoint_id
            JOIN events e ON e.id = d.event_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= $1
              AND w.enabled AND w.deleted_at IS NULL AND d.endpoint_id <> ALL ($2::text[])
            ORDER BY d.next_attempt_at
            LIMIT 1
            FOR UPDATE OF d SKIP LOCKED""",
        now, busy_endpoints,
    )
    if record is None:
        return None
    return DeliveryClaim(**{name: record[name] for name in _CLAIM_FIELDS}, event=model(Event, record))


_CLAIM_FIELDS = tuple(f.name for f in dataclasses.fields(DeliveryClaim) if f.name != "event")


async def record_attempt(conn: asyncpg.Connection, delivery_id: str, *, status: str,
                         next_attempt_at: datetime | None, attempted_at: datetime,
                         status_code: int | None, error: str | None, log: list[dict[str, Any]]) -> None:
    await conn.execute(
        """UPDATE webhook_deliveries
           SET status = $2, attempts = attempts + 1, next_attempt_at = $3,
               first_attempt_at = coalesce(first_attempt_at, $4), last_attempt_at = $4,
               last_status_code = $5, last_error = $6, log = $7, updated_at = clock_timestamp()
           WHERE id = $1""",
        delivery_id, status, next_attempt_at, attempted_at, status_code, error, log,
    )
