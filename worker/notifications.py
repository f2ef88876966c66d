"""The notifications loop: fold the event feed into notifications and send those due, as
WeChat subscription messages (usecases/notifications_jobs.py), a few times a second. Any
number of workers may run it: the fold is serialised by its row lock, each send is claimed
with SKIP LOCKED and committed as ``sending`` before WeChat is called."""

from __future__ import annotations

import asyncio

import asyncpg
import structlog

from integrations.wechat import WeChatClient
from usecases.clock import BusinessClock
from usecases.crypto import Sealer
from usecases.notifications_jobs import FOLD_BATCH, abandon_stale, fold, send_one
from worker.dispatch import pause

log = structlog.get_logger("bilin.worker")
INTERVAL = 0.5  # seconds between looks
SENDS_PER_ROUND = 50  # then fold again, so new events are not kept waiting behind a backlog


async def notify_once(conn: asyncpg.Connection, clock: BusinessClock, wechat: WeChatClient, sealer: Sealer) -> int:
    """Fold what the feed has, close what a killed worker left ``sending``, and send what is
    due; how many notifications were handled."""
    while await fold(conn, await clock.now(conn)) == FOLD_BATCH:
        pass
    handled = await abandon_stale(conn, wechat.timeout)
    while handled < SENDS_PER_ROUND and await send_one(conn, wechat, sealer, await clock.now(conn)):
        handled += 1
    return handled


async def notifications_loop(pool: asyncpg.Pool, clock: BusinessClock, wechat: WeChatClient, sealer: Sealer,
                             stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            async with pool.acquire() as conn:
                await notify_once(conn, clock, wechat, sealer)
        except Exception as error:  # noqa: BLE001 - the database or WeChat is away: keep trying, a little slower
            log.warning("notifications_failed", error=type(error).__name__)
            await pause(stopping, 1.0)
        await pause(stopping, INTERVAL)
