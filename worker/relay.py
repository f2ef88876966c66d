"""The relay loop: number newly committed events for the feed (and create their webhook
deliveries) a few times a second. The API relays too, at the start of a feed read, so the
feed is current without a worker; the two take turns on the relay's lock."""

from __future__ import annotations

import asyncio

import asyncpg
import structlog

from store import feed
from usecases.clock import BusinessClock
from usecases.events import RELAY_BATCH, relay
from worker.dispatch import pause

log = structlog.get_logger("bilin.worker")
INTERVAL = 0.15  # seconds between looks: a new event reaches the feed and the webhooks this fast


async def relay_once(conn: asyncpg.Connection, clock: BusinessClock) -> int:
    """Number everything committed so far; how many events were numbered."""
    total = 0
    while await feed.has_unnumbered(conn):
        numbered = await relay(conn, await clock.now(conn))
        total += numbered
        if numbered < RELAY_BATCH:  # done, or another relay holds the lock and does the rest
            break
    return total


async def relay_loop(pool: asyncpg.Pool, clock: BusinessClock, stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            async with pool.acquire() as conn:
                await relay_once(conn, clock)
        except Exception as error:  # the database is away: keep trying, a little slower
            log.warning("relay_failed", error=type(error).__name__)
            await pause(stopping, 1.0)
        await pause(stopping, INTERVAL)
