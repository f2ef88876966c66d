"""The little SQL the finders need: "does it answer?" and "create the database"."""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from devservices.common import run_coroutine


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` instead of the one it names."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def can_connect(url: str, timeout: float = 1.0) -> bool:
    """A real login, not just an open port: a server that wants a password we lack
    counts as absent."""

    async def attempt() -> bool:
        connection = await asyncpg.connect(url, timeout=timeout)
        try:
            await connection.fetchval("SELECT 1", timeout=timeout)
        finally:
            await connection.close(timeout=timeout)
        return True

    try:
        return run_coroutine(attempt)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return False


def ensure_database(url: str, name: str) -> str:
    """Create database `name` on the server `url` points at, if missing; return its URL.

    Connects to the database named in `url` (typically `postgres`) to do so.
    """

    async def create_if_missing() -> None:
        connection = await asyncpg.connect(url, timeout=10)
        try:
            exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                # CREATE DATABASE takes no bind parameters, so quote the name ourselves.
                quoted = '"' + name.replace('"', '""') + '"'
                # Another process (e.g. a parallel test worker) may create it meanwhile.
                with contextlib.suppress(asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                    await connection.execute(f"CREATE DATABASE {quoted}")
        finally:
            await connection.close()

    run_coroutine(create_if_missing)
    return with_database(url, name)
