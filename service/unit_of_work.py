"""One unit of work: a connection taken from the pool on first use, a transaction begun on
first write, and one way to end it — commit, roll back, or (a database gone silent) drop the
connection. The API holds one per request (api/conventions/unit_of_work.py decides when it
commits: just before the response starts) and the worker one per claimed job or delivery
(worker/dispatch.py: the claim, the work and its completion commit together)."""

from __future__ import annotations

import contextlib
from typing import Any

import asyncpg
import structlog

log = structlog.get_logger("bilin.uow")


class UnitOfWork:
    def __init__(self, pool: asyncpg.Pool | None, *, acquire_timeout: float | None = None) -> None:
        self._pool = pool
        self._acquire_timeout = acquire_timeout
        self._conn: asyncpg.Connection | None = None
        self._transaction: Any = None

    async def connection(self) -> asyncpg.Connection:
        if self._conn is None:
            assert self._pool is not None, "Database.connect() was not called"
            self._conn = await self._pool.acquire(timeout=self._acquire_timeout)
        return self._conn

    async def transaction(self) -> asyncpg.Connection:
        conn = await self.connection()
        if self._transaction is None:
            self._transaction = conn.transaction()
            await self._transaction.start()
        return conn

    @property
    def in_transaction(self) -> bool:
        return self._transaction is not None

    async def commit(self) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            await transaction.commit()

    async def rollback(self) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            with contextlib.suppress(Exception):  # a broken connection is discarded on release
                await transaction.rollback()

    def discard(self) -> None:
        """Close the connection without a word to the server. After a 503 the database may be
        silent, and a ROLLBACK would hold the answer for another command timeout; the server
        rolls back by itself when it sees the connection go."""
        self._transaction = None
        if self._conn is not None:
            self._conn.terminate()

    async def release(self) -> None:
        """Roll back what was not committed and give the connection back; always called last."""
        await self.rollback()
        conn, self._conn = self._conn, None
        if conn is not None and self._pool is not None:
            try:
                await self._pool.release(conn)
            except Exception as error:  # the pool has discarded the broken connection already
                log.warning("connection_discarded", error=type(error).__name__)
