"""Import jobs: the job row, the uploaded file's chunks, the staged rows (COPY), per-row
errors, and the set-based upserts of one batch into the registry (communities, buildings,
households), each an ``INSERT … ON CONFLICT (street_id, external_id) DO UPDATE … WHERE … IS
DISTINCT FROM …`` so an unchanged row is neither written nor counted as changed."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable
from datetime import datetime
from typing import Any

import asyncpg

from domain.imports import Import, ImportError_, RowError
from store.paging import Keyset
from store.rows import model, models, one

_COLUMNS = """i.id, i.street_id, i.kind, i.mode, i.status, i.format, i.encoding, i.columns, i.file_bytes,
    i.file_sha256, i.rows_total, i.rows_done, i.created, i.updated, i.unchanged, i.failed, i.created_at,
    i.updated_at, i.finished_at"""


async def insert(conn: asyncpg.Connection, *, id: str, street_id: str, kind: str, mode: str, format: str,
                 encoding: str, columns: list[str], file_bytes: int, file_sha256: str,
                 created_by: tuple[str, str | None]) -> Import:
    return one(Import, await conn.fetchrow(
        f"""INSERT INTO imports AS i (id, street_id, kind, mode, format, encoding, columns, file_bytes,
                                      file_sha256, created_by_type, created_by_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {_COLUMNS}""",
        id, street_id, kind, mode, format, encoding, columns, file_bytes, file_sha256, *created_by))


async def add_chunks(conn: asyncpg.Connection, import_id: str, chunks: AsyncIterable[bytes]) -> None:
    async def records() -> AsyncIterable[tuple[str, int, bytes]]:
        seq = 0
        async for chunk in chunks:
            seq += 1
            yield import_id, seq, chunk
    await conn.copy_records_to_table("import_chunks", records=records(), columns=["import_id", "seq", "data"])


async def chunk_count(conn: asyncpg.Connection, import_id: str) -> int:
    return await conn.fetchval("SELECT count(*) FROM import_chunks WHERE import_id = $1", import_id)


async def chunk(conn: asyncpg.Connection, import_id: str, seq: int) -> bytes:
    return await conn.fetchval("SELECT data FROM import_chunks WHERE import_id = $1 AND seq = $2", import_id, seq)


async def get(conn: asyncpg.Connection, street_id: str, import_id: str, *, lock: bool = False) -> Import | None:
    return model(Import, await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM imports i WHERE i.id = $1 AND i.street_id = $2{' FOR UPDATE' if lock else ''}",
        import_id, street_id))


async def stage_rows(conn: asyncpg.Connection, rows: Iterable[tuple[str, int, str | None, list[str | None] | None]]) -> None:
    """COPY (import id, row number, external id, cells) into the staging table."""
    await conn.copy_records_to_table("import_rows", records=list(rows),
                                     columns=["import_id", "row_no", "external_id", "cells"])


async def add_errors(conn: asyncpg.Connection, import_id: str, created_at: datetime, errors: list[RowError]) -> None:
    if not errors:
        return
    await conn.copy_records_to_table(
        "import_errors", columns=["import_id", "id", "row_no", "column_name", "code", "created_at"],
        records=[(import_id, f"{e.row:010d}:{e.column or ''}", e.row, e.column, e.code, created_at) for e in errors])


async def fail_duplicates(conn: asyncpg.Connection, import_id: str, created_at: datetime) -> int:
    """A second row with an external id seen earlier in the file fails (``duplicate_in_file``):
    which of two rows should win is the file's author's call, not ours."""
    await conn.execute(
        """WITH d AS (
               SELECT row_no, row_no > min(row_no) OVER (PARTITION BY external_id) AS later
               FROM import_rows WHERE import_id = $1 AND cells IS NOT NULL AND external_id IS NOT NULL)
           INSERT INTO import_errors (import_id, id, row_no, column_name, code, created_at)
           SELECT $1, lpad(d.row_no::text, 10, '0') || ':external_id', d.row_no, 'external_id',
                  'duplicate_in_file', $2
           FROM d WHERE d.later""", import_id, created_at)
    status = await conn.execute(
        """UPDATE import_rows r SET cells = NULL FROM import_errors e
           WHERE e.import_id = $1 AND e.code = 'duplicate_in_file' AND r.import_id = $1 AND r.row_no = e.row_no""",
        import_id)
    return int(status.split()[-1])


async def staged(conn: asyncpg.Connection, import_id: str, first: int, last: int) -> list[tuple[int, list[str | None] | None]]:
    rows = await conn.fetch(
        "SELECT row_no, cells FROM import_rows WHERE import_id = $1 AND row_no BETWEEN $2 AND $3 ORDER BY row_no",
        import_id, first, last)
    return [(r["row_no"], r["cells"]) for r in rows]


async def set_running(conn: asyncpg.Connection, import_id: str, rows_total: int, failed: int) -> None:
    await conn.execute(
        """UPDATE imports SET status = 'running', rows_total = $2, failed = $3, updated_at = clock_timestamp()
           WHERE id = $1""", import_id, rows_total, failed)


async def add_progress(conn: asyncpg.Connection, import_id: str, *, rows_done: int, created: int, updated: int,
                       unchanged: int, failed: int) -> Import:
    """The batch's counts and the resume point, in the batch's own transaction."""
    return one(Import, await conn.fetchrow(
        f"""UPDATE imports i SET rows_done = $2, created = created + $3, updated = updated + $4,
                   unchanged = unchanged + $5, failed = failed + $6, updated_at = clock_timestamp()
            WHERE id = $1 RETURNING {_COLUMNS}""",
        import_id, rows_done, created, updated, unchanged, failed))


async def finish(conn: asyncpg.Connection, import_id: str, status: str) -> Import:
    """The end of a job (succeeded, failed or cancelled); the staged copy and the file go."""
    await conn.execute("DELETE FROM import_rows WHERE import_id = $1", import_id)
    await conn.execute("DELETE FROM import_chunks WHERE import_id = $1", import_id)
    return one(Import, await conn.fetchrow(
        f"""UPDATE imports i SET status = $2, finished_at = clock_timestamp(), updated_at = clock_timestamp()
            WHERE id = $1 RETURNING {_COLUMNS}""", import_id, status))


async def errors_page(conn: asyncpg.Connection, import_id: str, keyset: Keyset) -> list[ImportError_]:
    """By row, then column (the ids sort so); the keyset's ``after`` continues a page."""
    params: list[Any] = [import_id]
    condition = "TRUE"
    if keyset.after is not None:
        params.extend(keyset.after)
        condition = "(e.created_at, e.id) > ($2, $3)"
    params.append(keyset.limit + 1)
    return models(ImportError_, await conn.fetch(
        f"""SELECT e.row_no AS row, e.column_name AS column, e.code, e.id, e.created_at
            FROM import_errors e WHERE e.import_id = $1 AND {condition}
            ORDER BY e.created_at, e.id LIMIT ${len(params)}""", *params))


# -- one batch, set-based ----------------------------------------------------------------------

async def parents(conn: asyncpg.Connection, street_id: str, table: str,
                  external_ids: list[str]) -> dict[str, asyncpg.Record]:
    """Parents by external id: communities (id) or buildings (id, community_id)."""
    columns = {"communities": "id, id AS community_id", "buildings": "id, community_id",
               "households": "id, community_id, building_id"}[table]
    rows = await conn.fetch(
        f"SELECT external_id, {columns} FROM {table} WHERE street_id = $1 AND external_id = ANY ($2::text[])",
        street_id, external_ids)
    return {r["external_id"]: r for r in rows}


async def taken_unit_labels(conn: asyncpg.Connection, street_id: str, rows: list[tuple[int, str, str, str]]) -> set[int]:
    """Rows (row, building id, unit label, external id) whose unit label another household of
    the building holds."""
    if not rows:
        return set()
    row_nos, buildings, labels, external_ids = (list(c) for c in zip(*rows, strict=True))
    found = await conn.fetch(
        """SELECT s.row_no FROM unnest($2::int[], $3::text[], $4::text[], $5::text[])
                  AS s (row_no, building_id, unit_label, external_id)
           JOIN households h ON h.building_id = s.building_id AND h.unit_label = s.unit_label
                            AND h.street_id = $1 AND h.external_id IS DISTINCT FROM s.external_id""",
        street_id, row_nos, buildings, labels, external_ids)
    return {r["row_no"] for r in found}


# Per kind: the source columns and their types, the upsert, what it returns (ids and places, no
# free text) and the event's snapshot of the row built from that.
_UPSERTS = {
    "communities": (
        ["id", "external_id", "name"], ["text", "text", "text"],
        """INSERT INTO communities AS t (id, street_id, external_id, name)
           SELECT s.id, $1, s.external_id, s.name FROM src s
           ON CONFLICT (street_id, external_id) DO UPDATE SET name = excluded.name, updated_at = clock_timestamp()
           WHERE t.name IS DISTINCT FROM excluded.name""",
        "t.id, t.external_id, t.created_at, t.updated_at, t.id AS community_id, NULL::text AS building_id",
        "jsonb_build_object('id', id, 'external_id', external_id, 'created_at', created_at, 'updated_at', updated_at)",
    ),
    "buildings": (
        ["id", "external_id", "community_id", "name", "address", "compound_name", "floors", "units"],
        ["text", "text", "text", "text", "text", "text", "int", "int"],
        """INSERT INTO buildings AS t (id, street_id, external_id, community_id, name, address, compound_name,
                                       floors, units)
           SELECT s.id, $1, s.external_id, s.community_id, s.name, coalesce(s.address, ''), s.compound_name,
                  s.floors, s.units FROM src s
           ON CONFLICT (street_id, external_id) DO UPDATE SET
               community_id = excluded.community_id, name = excluded.name, address = excluded.address,
               compound_name = excluded.compound_name, floors = excluded.floors, units = excluded.units,
               updated_at = clock_timestamp()
           WHERE (t.community_id, t.name, t.address, t.compound_name, t.floors, t.units)
                 IS DISTINCT FROM (excluded.community_id, excluded.name, excluded.address, excluded.compound_name,
                                   excluded.floors, excluded.units)""",
        "t.id, t.external_id, t.community_id, t.id AS building_id, t.floors, t.units, t.created_at, t.updated_at",
        """jsonb_build_object('id', id, 'community_id', community_id, 'floors', floors, 'units', units,
                              'external_id', external_id, 'created_at', created_at, 'updated_at', updated_at)""",
    ),
    "households": (
        ["id", "external_id", "community_id", "building_id", "unit_label", "area_m2", "votes"],
        ["text", "text", "text", "text", "text", "numeric", "boolean"],
        """INSERT INTO households AS t (id, street_id, external_id, community_id, building_id, unit_label,
                                        area_m2, votes)
           SELECT s.id, $1, s.external_id, s.community_id, s.building_id, s.unit_label, s.area_m2, s.votes
           FROM src s
           ON CONFLICT (street_id, external_id) DO UPDATE SET
               community_id = excluded.community_id, building_id = excluded.building_id,
               unit_label = excluded.unit_label, area_m2 = excluded.area_m2, votes = excluded.votes,
               updated_at = clock_timestamp()
           WHERE (t.building_id, t.unit_label, t.area_m2, t.votes)
                 IS DISTINCT FROM (excluded.building_id, excluded.unit_label, excluded.area_m2, excluded.votes)""",
        "t.id, t.external_id, t.community_id, t.building_id, t.area_m2, t.votes, t.created_at, t.updated_at",
        """jsonb_build_object('id', id, 'community_id', community_id, 'building_id', building_id,
                              'area_m2', area_m2::text, 'votes', votes, 'external_id', external_id,
                              'created_at', created_at, 'updated_at', updated_at)""",
    ),
    "residents": (
        ["id", "external_id", "community_id", "building_id", "household_id", "phone_digest", "role", "head",
         "expires_at"],
        ["text", "text", "text", "text", "text", "bytea", "text", "boolean", "timestamptz"],
        # A redeemed invitation is history: a later file does not change it. A changed one
        # starts its 90 days again.
        """INSERT INTO resident_invitations AS t (id, street_id, external_id, community_id, building_id,
                                                  household_id, phone_digest, role, head, import_id, expires_at)
           SELECT s.id, $1, s.external_id, s.community_id, s.building_id, s.household_id, s.phone_digest, s.role,
                  s.head, $2, s.expires_at FROM src s
           ON CONFLICT (street_id, external_id) DO UPDATE SET
               community_id = excluded.community_id, building_id = excluded.building_id,
               household_id = excluded.household_id, phone_digest = excluded.phone_digest, role = excluded.role,
               head = excluded.head, import_id = excluded.import_id, expires_at = excluded.expires_at,
               updated_at = clock_timestamp()
           WHERE t.redeemed_at IS NULL
             AND (t.household_id, t.phone_digest, t.role, t.head)
                 IS DISTINCT FROM (excluded.household_id, excluded.phone_digest, excluded.role, excluded.head)""",
        "t.id, t.external_id, t.community_id, t.building_id, t.household_id, t.role, t.head, t.expires_at, "
        "t.created_at, t.updated_at",
        """jsonb_build_object('id', id, 'community_id', community_id, 'building_id', building_id,
                              'household_id', household_id, 'role', role, 'head', head, 'expires_at', expires_at,
                              'external_id', external_id, 'created_at', created_at, 'updated_at', updated_at)""",
    ),
}
_SINGULAR = {"communities": "community", "buildings": "building", "households": "household",
             "residents": "resident_invitation"}
# Per kind: the table, and the fields an `*.updated` event names in `changed` (wire name → column)
# when the row's value differs from what it was.
_COMPARED = {
    "communities": ("communities", {"name": "name"}),
    "buildings": ("buildings", {"community_id": "community_id", "name": "name", "address": "address",
                                "compound_name": "compound_name", "floors": "floors", "units": "units"}),
    "households": ("households", {"building_id": "building_id", "unit_label": "unit_label", "area_m2": "area_m2",
                                  "votes": "votes"}),
    "residents": ("resident_invitations", {"household_id": "household_id", "phone": "phone_digest", "role": "role",
                                           "head": "head"}),
}


async def upsert(conn: asyncpg.Connection, kind: str, street_id: str, import_id: str,
                 rows: list[dict[str, Any]], event_ids: list[str]) -> tuple[int, int]:
    """Insert or change the rows (each with a fresh ``id`` for an insert) and raise one event
    per row written (``<kind>.created`` or ``.updated``, with ``data.import_id``; an update
    names the fields whose values changed in ``changed``), in one statement: (created,
    updated). Rows neither created nor updated were unchanged.

    The events go straight into the outbox table (store/events.py) from the upsert's answer:
    500,000 rows would not go through Python one event at a time. Their data is built here
    from ids, places, numbers and times only, so it holds no free text either. The rows as
    they were come from the statement's own snapshot (``was``), which the upsert's writes do
    not change."""
    if not rows:
        return 0, 0
    names, types, statement, returning, snapshot = _UPSERTS[kind]
    table, compared = _COMPARED[kind]
    singular = _SINGULAR[kind]
    arrays = [[row.get(name) for row in rows] for name in names]
    source = ", ".join(f"${i + 4}::{t}[]" for i, t in enumerate(types))
    external_ids = f"${names.index('external_id') + 4}::text[]"
    columns = sorted(set(compared.values()))
    differs = ", ".join(f"CASE WHEN w.{column} IS DISTINCT FROM numbered.new_{column} THEN '{field}' END"
                        for field, column in compared.items())
    counts = await conn.fetchrow(
        f"""WITH src AS (SELECT * FROM unnest({source}) AS s ({", ".join(names)})),
            was AS (SELECT o.id, {", ".join(f"o.{c}" for c in columns)} FROM {table} o
                     WHERE o.street_id = $1 AND o.external_id = ANY ({external_ids})),
            up AS ({statement} RETURNING {returning}, {", ".join(f"t.{c} AS new_{c}" for c in columns)},
                   (t.xmax = 0) AS inserted),
            numbered AS (SELECT up.*, row_number() OVER () AS n FROM up),
            raised AS (
                INSERT INTO events (id, street_id, type, occurred_at, community_id, building_id, subject_type,
                                    subject_id, data)
                SELECT ($3::text[])[n], $1, '{singular}.' || CASE WHEN inserted THEN 'created' ELSE 'updated' END,
                       clock_timestamp(), community_id, building_id, '{singular}', id,
                       jsonb_build_object('{singular}_id', id, 'import_id', $2::text, '{singular}', {snapshot})
                       || CASE WHEN inserted THEN '{{}}'::jsonb ELSE jsonb_build_object('changed', (
                              SELECT to_jsonb(array_remove(ARRAY[{differs}]::text[], NULL))
                              FROM was w WHERE w.id = numbered.id)) END
                FROM numbered)
            SELECT count(*) FILTER (WHERE inserted) AS created, count(*) FILTER (WHERE NOT inserted) AS updated
            FROM up""",
        street_id, import_id, event_ids, *arrays)
    return counts["created"], counts["updated"]
