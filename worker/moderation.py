"""The content-check loop: text WeChat gave no verdict on (-1, 61010, a timeout, an outage)
is checked again once due, and cleared, rejected or left for a leader
(usecases/moderation.py ``recheck_one``). Rows are claimed with SKIP LOCKED: any number of
workers may run it."""

from __future__ import annotations

import asyncio

import asyncpg
import structlog

from usecases.clock import BusinessClock
from usecases.moderation import ContentChecker, recheck_one
from worker.dispatch import pause

log = structlog.get_logger("bilin.worker")
INTERVAL = 5.0  # seconds between looks; each text says when it is due again


async def recheck_due(conn: asyncpg.Connection, clock: BusinessClock, checker: ContentChecker) -> int:
    checked = 0
    while await recheck_one(conn, checker, await clock.now(conn)):
        checked += 1
    return checked


async def moderation_loop(pool: asyncpg.Pool, clock: BusinessClock, checker: ContentChecker,
                          stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            async with pool.acquire() as conn:
                await recheck_due(conn, clock, checker)
        except Exception as error:  # noqa: BLE001 - the database is away: keep trying, a little slower
            log.warning("moderation_failed", error=type(error).__name__)
        await pause(stopping, INTERVAL)
