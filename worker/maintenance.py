"""Retention: events (and their deliveries) older than BILIN_EVENT_RETENTION_DAYS, finished
jobs as old, and expired Idempotency-Key records are deleted in small batches. Retention is judged by the real clock,
so moving the test clock never deletes anything. Orphaned uploads (photos never attached) are
swept by business time, a day after their upload (usecases/media_jobs.py), and resident
invitations 90 days after their import when unredeemed (usecases/invites.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import asyncpg
import structlog

from domain.clock import real_now
from integrations.storage import Storage
from store import feed, idempotency, jobs
from usecases.clock import BusinessClock
from usecases.invites import sweep_resident_invitations
from usecases.media_jobs import sweep_orphans
from worker.dispatch import pause

log = structlog.get_logger("bilin.worker")
BATCH = 5000
INTERVAL = 600.0


async def prune(conn: asyncpg.Connection, retention_days: int) -> tuple[int, int]:
    """Delete what is past retention; (events, jobs) deleted."""
    cutoff = real_now() - timedelta(days=retention_days)
    counts = []
    for delete in (feed.delete_older_than, jobs.delete_finished_before):
        total = 0
        while (deleted := await delete(conn, cutoff, BATCH)) > 0:
            total += deleted
            if deleted < BATCH:
                break
        counts.append(total)
    return counts[0], counts[1]


async def maintenance_loop(pool: asyncpg.Pool, retention_days: int, stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            async with pool.acquire() as conn:
                events, finished = await prune(conn, retention_days)
                keys = await idempotency.delete_expired(conn, BATCH)
            if events or finished or keys:
                log.info("retention", events_deleted=events, jobs_deleted=finished, idempotency_keys_deleted=keys)
        except Exception as error:
            log.warning("retention_failed", error=type(error).__name__)
        await pause(stopping, INTERVAL)


async def sweep_loop(pool: asyncpg.Pool, clock: BusinessClock, sweep: Callable[[asyncpg.Connection, datetime], Awaitable[int]],
                     what: str, stopping: asyncio.Event) -> None:
    """Run ``sweep`` (one batch by business time, returning how many it removed) until it
    removes nothing, every INTERVAL; log the total as ``<what>_removed``."""
    while not stopping.is_set():
        try:
            removed = 0
            async with pool.acquire() as conn:
                while (swept := await sweep(conn, await clock.now(conn))) > 0:
                    removed += swept
                    if stopping.is_set():
                        break
            if removed:
                log.info(f"{what}_removed", count=removed)
        except Exception as error:
            log.warning(f"{what}_sweep_failed", error=type(error).__name__)
        await pause(stopping, INTERVAL)


async def media_sweep_loop(pool: asyncpg.Pool, clock: BusinessClock, storage: Storage,
                           stopping: asyncio.Event) -> None:
    await sweep_loop(pool, clock, lambda conn, now: sweep_orphans(conn, storage, now), "media_orphans", stopping)


async def invitation_sweep_loop(pool: asyncpg.Pool, clock: BusinessClock, stopping: asyncio.Event) -> None:
    await sweep_loop(pool, clock, sweep_resident_invitations, "resident_invitations", stopping)
