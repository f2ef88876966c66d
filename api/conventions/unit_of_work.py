"""One database unit of work per request.

Routes ask for a connection (reads) or a transaction (writes) through plain async
dependencies; the connection is taken from the pool on first use and given back by this
middleware after the response. The transaction commits just before the response starts
when the status is below 400, and rolls back otherwise — so a client never sees a success
for a change that did not commit, and an error never leaves a change behind.

Why not generator dependencies: the framework resolves sibling dependencies concurrently
and cancels them when one fails (say, a 401 from the token check), which can interrupt a
generator while it is acquiring a connection and leak it. Here, every connection that was
acquired is released in one ``finally``."""

from __future__ import annotations

import contextlib
from typing import Any

import asyncpg
import structlog
from litestar.datastructures import Headers

from api.conventions.problems import PROBLEM_MEDIA_TYPE, render, request_language
from store.db import Database

STATE_KEY = "bilin.uow"
log = structlog.get_logger("bilin.uow")


class UnitOfWork:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: asyncpg.Connection | None = None
        self._transaction: Any = None

    async def connection(self) -> asyncpg.Connection:
        if self._conn is None:
            assert self._db.pool is not None, "Database.connect() was not called"
            self._conn = await self._db.pool.acquire(timeout=self._db.acquire_timeout)
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
        await self.rollback()
        conn, self._conn = self._conn, None
        if conn is not None and self._db.pool is not None:
            try:
                await self._db.pool.release(conn)
            except Exception as error:  # the pool has discarded the broken connection already
                log.warning("connection_discarded", error=type(error).__name__)


def unit_of_work(scope: dict) -> UnitOfWork:
    return scope["state"][STATE_KEY]


def unit_of_work_middleware(app: Any) -> Any:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        uow = UnitOfWork(scope["litestar_app"].state.services.db)
        scope.setdefault("state", {})[STATE_KEY] = uow
        failed_commit = False

        async def finish_then_send(message: dict) -> None:
            nonlocal failed_commit
            if failed_commit:
                return  # the body of a response replaced by a 503 below
            if message["type"] == "http.response.start" and uow.in_transaction:
                if message["status"] == 503:
                    uow.discard()
                elif message["status"] < 400:
                    try:
                        await uow.commit()
                    except Exception as error:  # the change did not commit: say so, not 2xx
                        log.warning("commit_failed", error=type(error).__name__)
                        failed_commit = True
                        await _send_unavailable(scope, send)
                        return
                else:
                    await uow.rollback()
            await send(message)

        try:
            await app(scope, receive, finish_then_send)
        finally:
            await uow.release()

    return handle


async def _send_unavailable(scope: dict, send: Any) -> None:
    body = render("service_unavailable", language=request_language(Headers.from_scope(scope)),
                  request_id=scope["state"].get("request_id", ""), instance=scope["path"])
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"retry-after", b"5"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
