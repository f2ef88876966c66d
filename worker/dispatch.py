"""Claiming work from PostgreSQL, the one way the worker takes a job or a delivery.

Each item is claimed with ``FOR UPDATE SKIP LOCKED`` in a transaction of its own and worked
in that same transaction, which holds the row lock until it commits. So two workers never
take the same item, the work's effects commit together with its completion, and when a
worker dies (SIGKILL included) its connection drops, PostgreSQL rolls back and unlocks at
once, and the item is due again for the next worker — there is no lease to wait out.

One loop claims while slots are free; each claimed item runs in a task of its own. With
nothing due, the loop sleeps ``poll`` seconds, so an idle worker costs one query a poll."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import structlog

from service.unit_of_work import UnitOfWork

log = structlog.get_logger("bilin.worker")

Claim = Callable[[asyncpg.Connection], Awaitable[Any]]
Work = Callable[[asyncpg.Connection, Any], Awaitable[None]]
Release = Callable[[Any], None]


async def pause(stopping: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake at once when the worker is told to stop."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


class Dispatcher:
    def __init__(self, name: str, pool: asyncpg.Pool, *, slots: int, poll: float, claim: Claim,
                 work: Work, release: Release | None = None) -> None:
        self.name = name
        self.pool = pool
        self.slots = slots
        self.poll = poll
        self.claim = claim
        self.work = work
        self.release = release  # called once the item's transaction has ended, either way
        self._free = asyncio.Semaphore(slots)
        self._running: set[asyncio.Task[None]] = set()
        self._failed = False  # the last item's work raised: pause before claiming again
        self._finished = asyncio.Event()  # an item ended since the last claim

    async def run(self, stopping: asyncio.Event) -> None:
        """Claim and work until ``stopping``; then claim nothing more and let the items in
        flight finish (a graceful stop)."""
        while not stopping.is_set():
            await self._free.acquire()
            if stopping.is_set():
                self._free.release()
                break
            if self._failed:  # an item that fails would be due again at once: no hot loop
                self._failed = False
                await pause(stopping, self.poll)
            self._finished.clear()
            try:
                started = await self._start_one()
            except Exception as error:  # the database is away: try again after a pause
                log.warning("claim_failed", dispatcher=self.name, error=type(error).__name__)
                started = False
            if not started:
                self._free.release()
                await self._idle(stopping)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _idle(self, stopping: asyncio.Event) -> None:
        """Nothing was due: sleep ``poll`` seconds, but claim again as soon as an item in flight
        ends, since what it committed may be the next item (an import's next batch)."""
        if self._finished.is_set():
            return
        waits = [asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(self._finished.wait())]
        try:
            await asyncio.wait(waits, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def _start_one(self) -> bool:
        uow = UnitOfWork(self.pool)
        try:
            item = await self.claim(await uow.transaction())
        except BaseException:
            await uow.release()
            raise
        if item is None:
            await uow.release()
            return False
        task = asyncio.create_task(self._finish(uow, item))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return True

    async def _finish(self, uow: UnitOfWork, item: Any) -> None:
        try:
            await self.work(await uow.connection(), item)
            await uow.commit()
        except Exception:
            log.exception("work_failed", dispatcher=self.name)
            self._failed = True
        finally:
            await uow.release()  # rolls back whatever did not commit
            if self.release is not None:
                self.release(item)
            self._free.release()
            self._finished.set()
