"""Fixtures for the devservices tests.

No __init__.py in this folder on purpose: it would make pytest import these tests as a
package named `devservices`, shadowing the package under test.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from devservices import free_port, stop_embedded_postgres


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data dir the embedded PostgreSQL's unprivileged user can reach when we are root.

    pytest's tmp_path lives under /tmp/pytest-of-root, which is 0700, so `nobody` could not
    enter it; a world-traversable directory straight under /tmp can.
    """
    path = Path(tempfile.mkdtemp(prefix="bilin-devservices-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        stop_embedded_postgres(
            path
        )  # safety net if a test failed before stopping its server
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on, to stand in for "no local server"."""
    return free_port()
