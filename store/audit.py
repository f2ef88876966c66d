"""The audit log of personal-data reads."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.ids import new_id
from domain.people import AuditEntry
from store.paging import Keyset, keyset_sql
from store.rows import models

_COLUMNS = """a.id, a.street_id, a.actor_client, a.actor_person, a.action, a.subject_type, a.subject_id,
    a.fields, a.request_id, a.created_at, a.updated_at"""


async def record_reads(conn: asyncpg.Connection, *, street_id: str, actor_client: str,
                       actor_person: str | None, action: str, subject_ids: list[str], fields: list[str],
                       request_id: str | None) -> None:
    await conn.executemany(
        """INSERT INTO audit_log (id, street_id, actor_client, actor_person, action, subject_type, subject_id,
                                  fields, request_id)
           VALUES ($1, $2, $3, $4, $5, 'person', $6, $7, $8)""",
        [(new_id("audit"), street_id, actor_client, actor_person, action, subject, fields, request_id)
         for subject in subject_ids])


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset, *,
               subject_id: str | None = None) -> list[AuditEntry]:
    params: list[Any] = [street_id]
    filters = ["a.street_id = $1"]
    if subject_id is not None:
        params.append(subject_id)
        filters.append(f"a.subject_id = ${len(params)}")
    condition, order = keyset_sql(keyset, "a", params)
    return models(AuditEntry, await conn.fetch(
        f"SELECT {_COLUMNS} FROM audit_log a WHERE {' AND '.join(filters)} AND {condition} {order}", *params))
