"""Webhook endpoints of a street. Deleted endpoints are kept (``deleted_at``) so the worker
and the API never wait on each other for a delivery in flight; they read as not found."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.webhooks import WebhookEndpoint
from store.paging import Keyset, keyset_sql
from store.rows import model, models, set_clause

# Everything but the sealed secrets, which only the signing path reads.
_COLUMNS = ("w.id, w.street_id, w.url, w.description, w.event_types, w.enabled, w.disabled_reason, "
            "w.disabled_at, w.failing_since, w.previous_secret_expires_at, w.created_at, w.updated_at")


async def count_active(conn: asyncpg.Connection, street_id: str) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM webhook_endpoints WHERE street_id = $1 AND deleted_at IS NULL", street_id)


async def insert(conn: asyncpg.Connection, *, id: str, street_id: str, url: str, description: str,
                 event_types: list[str], secret_sealed: bytes) -> WebhookEndpoint:
    return model(WebhookEndpoint, await conn.fetchrow(
        f"""INSERT INTO webhook_endpoints AS w (id, street_id, url, description, event_types, secret_sealed)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}""",
        id, street_id, url, description, event_types, secret_sealed,
    ))


async def get(conn: asyncpg.Connection, street_id: str, endpoint_id: str, *,
              for_update: bool = False) -> WebhookEndpoint | None:
    lock = " FOR UPDATE" if for_update else ""
    return model(WebhookEndpoint, await conn.fetchrow(
        f"""SELECT {_COLUMNS} FROM webhook_endpoints w
            WHERE w.id = $1 AND w.street_id = $2 AND w.deleted_at IS NULL{lock}""",
        endpoint_id, street_id,
    ))


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset) -> list[WebhookEndpoint]:
    params: list[Any] = [street_id]
    condition, order = keyset_sql(keyset, "w", params)
    return models(WebhookEndpoint, await conn.fetch(
        f"""SELECT {_COLUMNS} FROM webhook_endpoints w
            WHERE w.street_id = $1 AND w.deleted_at IS NULL AND {condition} {order}""",
        *params,
    ))


async def update(conn: asyncpg.Connection, street_id: str, endpoint_id: str,
                 changes: dict[str, Any]) -> WebhookEndpoint:
    params: list[Any] = [endpoint_id, street_id]
    assignments = set_clause(changes, ("url", "description", "event_types", "enabled",
                                       "disabled_reason", "disabled_at", "failing_since"), params)
    return model(WebhookEndpoint, await conn.fetchrow(
        f"""UPDATE webhook_endpoints AS w SET {assignments}
            WHERE w.id = $1 AND w.street_id = $2 RETURNING {_COLUMNS}""",
        *params,
    ))


async def mark_deleted(conn: asyncpg.Connection, street_id: str, endpoint_id: str) -> None:
    await conn.execute(
        """UPDATE webhook_endpoints SET deleted_at = clock_timestamp(), enabled = false,
                  updated_at = clock_timestamp()
           WHERE id = $1 AND street_id = $2""",
        endpoint_id, street_id,
    )


async def rotate_secret(conn: asyncpg.Connection, street_id: str, endpoint_id: str, *,
                        secret_sealed: bytes, previous_sealed: bytes,
                        previous_expires_at: datetime) -> WebhookEndpoint:
    return model(WebhookEndpoint, await conn.fetchrow(
        f"""UPDATE webhook_endpoints AS w
            SET secret_sealed = $3, previous_secret_sealed = $4, previous_secret_expires_at = $5,
                updated_at = clock_timestamp()
            WHERE w.id = $1 AND w.street_id = $2 RETURNING {_COLUMNS}""",
        endpoint_id, street_id, secret_sealed, previous_sealed, previous_expires_at,
    ))


async def sealed_secret(conn: asyncpg.Connection, endpoint_id: str) -> bytes:
    return await conn.fetchval("SELECT secret_sealed FROM webhook_endpoints WHERE id = $1", endpoint_id)


async def record_health(conn: asyncpg.Connection, endpoint_id: str, *, failing_since: datetime | None,
                        disable_reason: str | None) -> WebhookEndpoint | None:
    """After an attempt (worker): the streak of failures, and a disable when the attempt
    decided one. Returns the endpoint when this call disabled it."""
    if disable_reason is None:
        await conn.execute(
            """UPDATE webhook_endpoints SET failing_since = $2
               WHERE id = $1 AND failing_since IS DISTINCT FROM $2""",
            endpoint_id, failing_since,
        )
        return None
    return model(WebhookEndpoint, await conn.fetchrow(
        f"""UPDATE webhook_endpoints AS w
            SET enabled = false, disabled_reason = $2, disabled_at = clock_timestamp(),
                failing_since = $3, updated_at = clock_timestamp()
            WHERE w.id = $1 AND w.enabled RETURNING {_COLUMNS}""",
        endpoint_id, disable_reason, failing_since,
    ))
