"""Bulk registry imports (批量导入) for the street office's platform: take a file, keep it in
the database, and let the worker stage and apply it (usecases/imports_jobs.py); read a
job's progress and its per-row errors; cancel it.

Why the database keeps the file: the API and the worker are separate processes that may run
on separate machines and restart at any time; the database is the one store both reach that
survives all of that (a directory under .data/ would be neither shared nor safe)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import BinaryIO

import asyncpg
import msgspec

from domain import imports as rules
from domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from domain.ids import new_id
from domain.imports import Import, ImportError_
from domain.permissions import Principal, require_scope
from store import imports as store
from store.paging import Keyset
from usecases.kernel import record_event, schedule_job

CHUNK_BYTES = 1024 * 1024
STAGE_JOB = "import.stage"
APPLY_JOB = "import.apply"


class Target(msgspec.Struct, kw_only=True):
    """An import job's payload: which import, and the first row of the batch to apply."""

    import_id: str
    first: int = 1


def may_import(who: Principal) -> None:
    """Platform clients with ``imports:write``; nobody else."""
    if who.kind != "platform":
        raise Forbidden("not_allowed")
    require_scope(who, "imports:write")


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(CHUNK_BYTES):
        yield chunk


class _Rereadable:
    """The file's chunks, readable more than once (encoding detection reads it twice)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file

    def __iter__(self) -> Iterator[bytes]:
        return _chunks(self.file)


def inspect(kind: str, file: BinaryIO) -> tuple[str, str, list[str]]:
    """(format, encoding, columns) of an uploaded file, or 422 naming what is wrong: an empty
    file, an encoding that is neither UTF-8 nor GB18030, a required column missing."""
    encoding = rules.detect_encoding(_Rereadable(file))
    if encoding is None:
        raise RuleViolation("import_encoding_unknown")
    splitter = rules.Splitter(encoding, "csv")
    first: list[str] | None = None
    head = b""
    for chunk in _chunks(file):
        head = head or chunk
        records = splitter.feed(chunk)
        if records:
            first = records[0]
            break
    else:
        records = splitter.feed(b"", final=True)
        first = records[0] if records else None
    if first is None:
        raise RuleViolation("import_file_empty")
    format = rules.format_of(head[:4096].decode(encoding, errors="ignore"))
    if format == "jsonl":
        return format, encoding, [c.name for c in rules.COLUMNS[kind]]
    mapped = rules.map_header(kind, first)
    return format, encoding, [name or "" for name in mapped]


async def start(conn: asyncpg.Connection, who: Principal, *, kind: str, mode: str | None, file: BinaryIO,
                size: int, sha256: str, now: datetime) -> Import:
    """Keep the file and queue its import; answers at once (the worker does the rest)."""
    may_import(who)
    rules.check_kind(kind)
    chosen = rules.check_mode(mode)
    if size > rules.MAX_FILE_BYTES:
        raise RuleViolation("payload_too_large", {"max_bytes": rules.MAX_FILE_BYTES})
    if size == 0:
        raise RuleViolation("import_file_empty")
    # Reading a 200 MB file through is seconds of CPU: off the event loop, so other requests go on.
    format, encoding, columns = await asyncio.to_thread(inspect, kind, file)
    job = await store.insert(conn, id=new_id("import"), street_id=who.street_id, kind=kind, mode=chosen,
                             format=format, encoding=encoding, columns=columns, file_bytes=size,
                             file_sha256=sha256, created_by=_creator(who))

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in _chunks(file):
            yield chunk
    await store.add_chunks(conn, job.id, chunks())
    await schedule_job(conn, STAGE_JOB, now, Target(import_id=job.id), street_id=who.street_id,
                       dedupe_key=f"{STAGE_JOB}:{job.id}")
    return job


def _creator(who: Principal) -> tuple[str, str | None]:
    return ("person", who.person_id) if who.person_id else ("client", who.client_id)


async def get(conn: asyncpg.Connection, who: Principal, import_id: str) -> Import:
    may_import(who)
    found = await store.get(conn, who.street_id, import_id)
    if found is None:
        raise NotFound("not_found")
    return found


async def errors(conn: asyncpg.Connection, who: Principal, import_id: str, keyset: Keyset) -> list[ImportError_]:
    job = await get(conn, who, import_id)
    return await store.errors_page(conn, job.id, keyset)


async def cancel(conn: asyncpg.Connection, who: Principal, import_id: str) -> Import:
    """Stop a queued or running import after the batch in flight; what was applied stays.
    Cancelling a finished import is 409 ``import_finished``; cancelling twice is harmless."""
    may_import(who)
    job = await store.get(conn, who.street_id, import_id, lock=True)
    if job is None:
        raise NotFound("not_found")
    if job.status == "cancelled":
        return job
    if job.status in rules.FINISHED:
        raise Conflict("import_finished", {"status": job.status})
    return await complete(conn, job, "cancelled")


async def complete(conn: asyncpg.Connection, job: Import, status: str) -> Import:
    """Finish the job and raise its one ``import.completed`` event, with the counts."""
    done = await store.finish(conn, job.id, status)
    await record_event(conn, "import.completed", "import", done, {
        "kind": done.kind, "status": done.status, "rows_total": done.rows_total, "rows_done": done.rows_done,
        "created": done.created, "updated": done.updated, "unchanged": done.unchanged, "failed": done.failed})
    return done
