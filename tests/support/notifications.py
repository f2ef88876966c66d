"""Drive subscription messages as the worker does, in the test's process: number the feed,
fold it into notifications, send what is due through the WeChat stand-in."""

from __future__ import annotations

import asyncpg

from integrations.wechat import WeChatClient
from usecases.clock import BusinessClock
from usecases.crypto import Sealer
from worker.notifications import notify_once
from worker.relay import relay_once

CLOCK = BusinessClock(enabled=True, ttl=0)


async def deliver_notifications(db: asyncpg.Pool, wechat_base: str, sealer: Sealer, *, timeout: float = 1.0) -> int:
    wechat = WeChatClient(wechat_base, timeout=timeout)
    handled = 0
    try:
        async with db.acquire() as conn:
            await relay_once(conn, CLOCK)
            while sent := await notify_once(conn, CLOCK, wechat, sealer):
                handled += sent
    finally:
        await wechat.aclose()
    return handled
