"""Test databases: one template built by the migrations (as production gets its schema),
cloned once per test process. Tests isolate themselves by creating their own street."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from store.migrate import MIGRATIONS_DIR, migrate


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


async def _prepare(server_url: str, worker: str) -> str:
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    template = f"bilin_template_{migrations_digest()}"
    clone = f"bilin_test_{worker}"
    try:
        # One process builds the template; the others wait for it (xdist runs several).
        await admin.execute("SELECT pg_advisory_lock(727001)")
        try:
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", template)
            if not exists:
                await admin.execute(f'CREATE DATABASE "{template}_building"')
                await asyncio.to_thread(migrate, with_database(server_url, f"{template}_building"),
                                        wait=False)
                await admin.execute(f'ALTER DATABASE "{template}_building" RENAME TO "{template}"')
        finally:
            await admin.execute("SELECT pg_advisory_unlock(727001)")
        await admin.execute(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{clone}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    return with_database(server_url, clone)


def prepare_test_database(server_url: str, worker: str) -> str:
    return asyncio.run(_prepare(server_url, worker))


async def _drop(server_url: str, worker: str) -> None:
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "bilin_test_{worker}" WITH (FORCE)')
    finally:
        await admin.close()


def drop_test_database(server_url: str, worker: str) -> None:
    asyncio.run(_drop(server_url, worker))


@contextlib.asynccontextmanager
async def scratch_database(server_url: str, name: str) -> AsyncIterator[str]:
    """A database of its own, cloned from the migrated template, for a test that must change
    what every other test in its process shares (e.g. what production refuses to start with)."""
    template = f"bilin_template_{migrations_digest()}"
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        yield with_database(server_url, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
