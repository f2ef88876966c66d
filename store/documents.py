"""A building's documents and their versions (domain/documents.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.documents import Document, Version
from domain.ids import new_id
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one


async def get(conn: asyncpg.Connection, street_id: str, building_id: str, kind: str) -> Document | None:
    return model(Document, await conn.fetchrow(
        "SELECT * FROM documents WHERE street_id = $1 AND building_id = $2 AND kind = $3",
        street_id, building_id, kind))


async def locked(conn: asyncpg.Connection, *, street_id: str, community_id: str, building_id: str,
                 kind: str) -> Document:
    """The document row, created when nothing concerned it yet, locked FOR UPDATE: what an
    amendment holds while it checks its base and while it is adopted."""
    await conn.execute(
        """INSERT INTO documents (id, street_id, community_id, building_id, kind) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (building_id, kind) DO NOTHING""",
        new_id("document"), street_id, community_id, building_id, kind)
    return one(Document, await conn.fetchrow(
        "SELECT * FROM documents WHERE building_id = $1 AND kind = $2 FOR UPDATE", building_id, kind))


async def in_force(conn: asyncpg.Connection, street_id: str, building_id: str, kind: str) -> Version | None:
    return model(Version, await conn.fetchrow(
        """SELECT v.* FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.number = d.number_in_force
           WHERE d.street_id = $1 AND d.building_id = $2 AND d.kind = $3""", street_id, building_id, kind))


async def version(conn: asyncpg.Connection, street_id: str, building_id: str, kind: str, number: int, *,
                  for_update: bool = False) -> Version | None:
    suffix = " FOR UPDATE" if for_update else ""
    return model(Version, await conn.fetchrow(
        f"""SELECT * FROM document_versions
            WHERE street_id = $1 AND building_id = $2 AND kind = $3 AND number = $4{suffix}""",
        street_id, building_id, kind, number))


async def versions_page(conn: asyncpg.Connection, street_id: str, building_id: str, kind: str,
                        keyset: Keyset) -> list[Version]:
    params: list[Any] = [street_id, building_id, kind]
    condition, order = keyset_sql(keyset, "v", params)
    return models(Version, await conn.fetch(
        f"""SELECT v.* FROM document_versions v
            WHERE v.street_id = $1 AND v.building_id = $2 AND v.kind = $3 AND {condition} {order}""", *params))


async def adopt(conn: asyncpg.Connection, document: Document, *, base_number: int, text: str,
                parameters: dict[str, Any] | None, adopted_at: datetime, proposal_id: str | None) -> Version | None:
    """Put version ``base_number + 1`` in force — only if ``base_number`` still is (the caller
    holds the document row FOR UPDATE; the condition keeps it true without the lock too).
    None when the base is no longer in force."""
    moved = await conn.fetchval(
        """UPDATE documents SET number_in_force = $2 + 1, updated_at = clock_timestamp()
           WHERE id = $1 AND number_in_force = $2 RETURNING number_in_force""", document.id, base_number)
    if moved is None:
        return None
    return one(Version, await conn.fetchrow(
        """INSERT INTO document_versions (id, street_id, community_id, building_id, document_id, kind, number, text,
                                          parameters, adopted_at, adopted_by_proposal_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *""",
        new_id("document_version"), document.street_id, document.community_id, document.building_id, document.id,
        document.kind, moved, text, parameters, adopted_at, proposal_id))


async def file(conn: asyncpg.Connection, version_id: str, *, at: datetime, by: str | None) -> Version | None:
    """Stamp the filing (备案) once: None when the version was filed already."""
    return model(Version, await conn.fetchrow(
        """UPDATE document_versions SET filed_at = $2, filed_by = $3, updated_at = clock_timestamp()
           WHERE id = $1 AND filed_at IS NULL RETURNING *""", version_id, at, by))


async def amendment_in_vote(conn: asyncpg.Connection, building_id: str, kind: str, *,
                            besides: str) -> str | None:
    """Another amendment proposal of this document whose vote is open, if any."""
    return await conn.fetchval(
        """SELECT id FROM proposals WHERE building_id = $1 AND kind = 'document_amendment'
             AND amendment->>'document' = $2 AND stage = 'voting' AND id <> $3 LIMIT 1""",
        building_id, kind, besides)
