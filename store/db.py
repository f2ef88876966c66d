"""The connection pool and transactions.

Every use case runs in one transaction; the connection it gets is the only handle to the
database it needs. jsonb columns are (de)coded by msgspec, so JSON never passes through the
standard library's slower codec."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
import msgspec

Connection = asyncpg.Connection

# Errors that mean "the database is not reachable right now" rather than "this query is
# wrong": the API answers them with 503 and Retry-After instead of 500.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ConnectionError,
    TimeoutError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


def _encode_json(value: object) -> str:
    return msgspec.json.encode(value).decode()


async def init_connection(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(
            kind, schema="pg_catalog", encoder=_encode_json, decoder=msgspec.json.decode
        )


async def keep_session(conn: asyncpg.Connection) -> None:
    """The pool's reset on release, made a no-op. asyncpg's default sends
    ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` on every release — a round
    trip per request for state this service never leaves behind: its advisory locks are
    transaction-scoped (``pg_advisory_xact_lock``), it never LISTENs, never SETs without
    LOCAL, and declares no cursor WITH HOLD. asyncpg still rolls back an open transaction
    before this runs. tests/api/test_pool_session.py holds the service to that."""


class Database:
    """A process's pool. Every wait on the database is bounded, so that a database gone silent
    (a partition drops packets and resets nothing, so TCP alone would wait for minutes) turns
    into a 503 within seconds: connecting, each command, and waiting for a free connection."""

    def __init__(self, url: str, *, min_size: int = 2, max_size: int = 10, connect_timeout: float = 2.0,
                 command_timeout: float = 3.0, acquire_timeout: float = 2.0,
                 application_name: str = "bilin") -> None:
        self.url = url
        self.application_name = application_name
        self.min_size = min_size
        self.max_size = max_size
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.acquire_timeout = acquire_timeout
        self.pool: asyncpg.Pool | None = None

    async def connect(self) -> None:
        self.pool = await asyncpg.create_pool(
            self.url,
            min_size=0,  # start even while the database is down; connections come as needed
            max_size=self.max_size,
            init=init_connection,
            reset=keep_session,
            timeout=self.connect_timeout,
            command_timeout=self.command_timeout,
            max_inactive_connection_lifetime=300,
            server_settings={"timezone": "UTC", "application_name": self.application_name,
                             # the server gives up too, rather than work on for a gone caller
                             "statement_timeout": str(int(self.command_timeout * 1000))},
        )

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        assert self.pool is not None, "Database.connect() was not called"
        async with self.pool.acquire(timeout=self.acquire_timeout) as conn:
            yield conn

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.connection() as conn, conn.transaction():
            yield conn

    async def ping(self) -> bool:
        try:
            async with self.connection() as conn:
                await conn.fetchval("SELECT 1", timeout=2)
            return True
        except Exception:
            return False

    def pool_usage(self) -> tuple[int, int]:
        """(connections in use, pool size) for the metrics endpoint."""
        if self.pool is None:
            return (0, 0)
        size = self.pool.get_size()
        return (size - self.pool.get_idle_size(), size)
