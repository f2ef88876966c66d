"""Fixtures for the devservices tests.

No __init__.py in this folder on purpose: it would make pytest import these tests as a
package named `devservices`, shadowing the package under test.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from devservices import free_port, stop_embedded_postgres


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data dir that the embedded PostgreSQL's unprivileged user can reach as root.

    pytest's tmp_path lies under /tmp/pytest-of-root (mode 0700), which `nobody` cannot
    enter; a world-traversable directory straight under /tmp works.
    """
    path = Path(tempfile.mkdtemp(prefix="bilin-devservices-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        stop_embedded_postgres(path)  # in case a test failed before stopping it
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on, to stand in for "no local server"."""
    return free_port()


def _on_connection(url: str, use: Callable[[asyncpg.Connection], Any]) -> Any:
    async def run() -> Any:
        connection = await asyncpg.connect(url, timeout=5)
        try:
            return await use(connection)
        finally:
            await connection.close()

    return asyncio.run(run())


@pytest.fixture
def fetch() -> Callable[[str, str], Any]:
    """fetch(url, sql): the first value of the first row."""
    return lambda url, sql: _on_connection(url, lambda c: c.fetchval(sql))


@pytest.fixture
def execute() -> Callable[[str, str], Any]:
    """execute(url, sql): run one or more statements."""
    return lambda url, sql: _on_connection(url, lambda c: c.execute(sql))
