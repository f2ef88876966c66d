"""A migration tested on data: a database migrated up to just before it, rows written there
as the old schema held them, then the migration applied (with dbmate, as production does)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from store.migrate import MIGRATIONS_DIR, _dbmate, dbmate_url
from tests.support.databases import with_database


def _up(url: str, migrations: Path) -> None:
    subprocess.run([_dbmate(), "--url", dbmate_url(url), "--migrations-dir", str(migrations), "--no-dump-schema",
                    "up"], check=True, env={**os.environ, "DATABASE_URL": ""}, stdout=subprocess.PIPE)


@contextlib.asynccontextmanager
async def migrated_before(postgres_url: str, name: str, migration: str, folder: Path) -> AsyncIterator[str]:
    """A scratch database ``name`` with every migration older than ``migration`` applied."""
    admin = await asyncpg.connect(with_database(postgres_url, "postgres"))
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(postgres_url, name)
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name < migration:
            shutil.copy(path, folder / path.name)
    try:
        _up(url, folder)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def apply(url: str, folder: Path, migration: str) -> None:
    """Apply ``migration`` (and nothing newer) to a database made by ``migrated_before``."""
    shutil.copy(MIGRATIONS_DIR / migration, folder / migration)
    _up(url, folder)
