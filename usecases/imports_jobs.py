"""The worker's side of an import: stage the file's rows, then apply them batch by batch.

Staging reads the kept file chunk by chunk, splits it into rows and COPYs them into the
staging table, in one job (a worker killed mid-way rolls it all back; the job runs again).
Applying takes ``BATCH_ROWS`` staged rows per job: the set-based upserts with their events, the
rows' errors, the counts and the resume point (the next batch's job) commit together, so a
worker killed mid-file resumes at the first unapplied batch and applies no row twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import msgspec

from domain import imports as rules
from domain.ids import new_ids
from domain.imports import Import, RowError
from domain.jobs import Job
from store import imports as store
from usecases.crypto import Sealer
from usecases.imports import APPLY_JOB, STAGE_JOB, Target, complete
from usecases.kernel import schedule_job

# The batch upsert (store/imports.py) raises `<kind>.created` / `.updated` for each row written;
# the registry's kinds are raised by their own features too, resident invitations only here.
APPENDS = ("resident_invitation.created", "resident_invitation.updated")
STAGE_COPY_ROWS = 20_000
STAGE_TIMEOUT = "10min"  # staging 200 MB is one job; the runner's default is for short handlers
_SINGULAR = {"communities": "community", "buildings": "building", "households": "household",
             "residents": "resident_invitation"}


async def stage(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    target = msgspec.convert(job.payload, Target)
    found = await store.get(conn, job.street_id, target.import_id, lock=True)
    if found is None or found.status != "queued":
        return  # cancelled before it started
    await conn.execute(f"SET LOCAL statement_timeout = '{STAGE_TIMEOUT}'")
    splitter = rules.Splitter(found.encoding, found.format)
    positions = rules.csv_positions(found.kind, [name or None for name in found.columns])
    width = len(rules.COLUMNS[found.kind])
    header_seen = found.format == "jsonl"
    row_no = 0
    errors: list[RowError] = []
    batch: list[tuple[str, int, str | None, list[str | None] | None]] = []
    chunks = await store.chunk_count(conn, found.id)
    for seq in range(1, chunks + 1):
        records = splitter.feed(await store.chunk(conn, found.id, seq), final=seq == chunks)
        for record in records:
            if not header_seen:
                header_seen = True
                continue
            row_no += 1
            if found.format == "jsonl":
                cells = rules.cells_of_json(found.kind, record)
                if cells is None:
                    errors.append(RowError(row_no, None, "invalid_json"))
            else:
                cells = rules.cells_of_csv(width, positions, record)
            key = (cells[0] or "").strip() or None if cells is not None else None
            batch.append((found.id, row_no, key, cells))
            if len(batch) >= STAGE_COPY_ROWS:
                await store.stage_rows(conn, batch)
                batch = []
    await store.stage_rows(conn, batch)
    await store.add_errors(conn, found.id, found.created_at, errors)
    failed = len(errors) + await store.fail_duplicates(conn, found.id, found.created_at)
    await store.set_running(conn, found.id, row_no, failed)
    await _next(conn, found.id, job.street_id, 1, row_no, now)


async def _next(conn: asyncpg.Connection, import_id: str, street_id: str | None, first: int, total: int,
                now: datetime) -> None:
    if first > total:
        running = await store.get(conn, street_id or "", import_id)
        assert running is not None
        await complete(conn, running, "succeeded")
        return
    await schedule_job(conn, APPLY_JOB, now, Target(import_id=import_id, first=first), street_id=street_id,
                       dedupe_key=f"{APPLY_JOB}:{import_id}:{first}")


async def apply(conn: asyncpg.Connection, job: Job, now: datetime, sealer: Sealer) -> None:
    target = msgspec.convert(job.payload, Target)
    found = await store.get(conn, job.street_id, target.import_id, lock=True)
    if found is None or found.status != "running" or found.rows_total is None:
        return  # cancelled: the rest is not applied
    last = min(target.first + rules.BATCH_ROWS - 1, found.rows_total)
    staged = await store.staged(conn, found.id, target.first, last)
    valid, errors = await _checked(conn, found, staged)
    if found.kind == "residents":
        _seal_phones(valid, sealer, now)
    created, updated = await store.upsert(conn, found.kind, found.street_id, found.id, valid,
                                          new_ids("event", len(valid)))
    await store.add_errors(conn, found.id, found.created_at, errors)
    await store.add_progress(conn, found.id, rows_done=last, created=created, updated=updated,
                             unchanged=len(valid) - created - updated, failed=len({e.row for e in errors}))
    await _next(conn, found.id, job.street_id, last + 1, found.rows_total, now)


async def _checked(conn: asyncpg.Connection, found: Import,
                   staged: list[tuple[int, list[str | None] | None]]) -> tuple[list[dict[str, Any]], list[RowError]]:
    """The batch's rows that pass every rule, ready to write, and the errors of the others."""
    candidates: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for row_no, cells in staged:
        if cells is None:
            continue  # failed when staged; its error is stored
        values, row_errors = rules.check_row(found.kind, row_no, cells)
        errors.extend(row_errors)
        if values is not None:
            candidates.append((row_no, values))
    parent = rules.PARENT[found.kind]
    if parent is not None:
        column, table = parent
        known = await store.parents(conn, found.street_id, table, sorted({v[column] for _, v in candidates}))
        kept = []
        for row_no, values in candidates:
            record = known.get(values[column])
            if record is None:
                errors.append(RowError(row_no, column, "parent_not_found"))
                continue
            values["community_id"] = record["community_id"]
            if table == "buildings":
                values["building_id"] = record["id"]
            elif table == "households":
                values["building_id"], values["household_id"] = record["building_id"], record["id"]
            kept.append((row_no, values))
        candidates = kept
    if found.kind == "households":
        candidates = await _free_unit_labels(conn, found, candidates, errors)
    for (_, values), id in zip(candidates, new_ids(_SINGULAR[found.kind], len(candidates)), strict=True):
        values["id"] = id
    errors.sort(key=lambda e: (e.row, e.column or ""))
    return [values for _, values in candidates], errors


async def _free_unit_labels(conn: asyncpg.Connection, found: Import, candidates: list[tuple[int, dict[str, Any]]],
                            errors: list[RowError]) -> list[tuple[int, dict[str, Any]]]:
    """A unit label is one household's in its building: a row that would take another's fails."""
    taken = await store.taken_unit_labels(conn, found.street_id, [
        (row_no, v["building_id"], v["unit_label"], v["external_id"]) for row_no, v in candidates])
    seen: set[tuple[str, str]] = set()
    kept = []
    for row_no, values in candidates:
        key = (values["building_id"], values["unit_label"])
        if row_no in taken or key in seen:
            errors.append(RowError(row_no, "unit_label", "unit_label_taken"))
            continue
        seen.add(key)
        kept.append((row_no, values))
    return kept


def _seal_phones(rows: list[dict[str, Any]], sealer: Sealer, now: datetime) -> None:
    """A resident invitation keeps its phone number only as a keyed digest; its 90 days start."""
    expires_at = now + timedelta(days=rules.INVITATION_DAYS)
    for values in rows:
        values["phone_digest"] = sealer.phone_digest(values.pop("phone"))
        values["expires_at"] = expires_at


def handlers(sealer: Sealer) -> dict[str, Callable[[asyncpg.Connection, Job, datetime], Awaitable[None]]]:
    """The import jobs, bound to the service's data key (resident invitations digest phone
    numbers with it); registered by worker/jobs.py ``handlers``."""
    async def apply_with_key(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
        await apply(conn, job, now, sealer)
    return {STAGE_JOB: stage, APPLY_JOB: apply_with_key}
