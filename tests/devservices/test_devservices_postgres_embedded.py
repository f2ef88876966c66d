"""The embedded PostgreSQL's lifecycle: root handling, reuse, restart, stop at exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devservices import DevServiceError, postgres_service, stop_embedded_postgres
from devservices.common import port_accepts_connections

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FORCE_EMBEDDED = {"BILIN_EMBEDDED_POSTGRES": "1"}
only_as_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="only root has to hand PostgreSQL to another user"
)


def listening(url: str) -> bool:
    return port_accepts_connections("127.0.0.1", urlsplit(url).port)


def embedded(data_dir: Path, keep_running: bool, database: str = "bilin_test"):
    return postgres_service(
        database=database,
        data_dir=data_dir,
        env=FORCE_EMBEDDED,
        keep_running=keep_running,
    )


@only_as_root
def test_as_root_the_server_runs_as_an_unprivileged_user(data_dir: Path) -> None:
    service = embedded(data_dir, keep_running=False)
    try:
        cluster = data_dir / "postgres" / "data"
        assert cluster.stat().st_uid != 0
        postmaster_pid = (cluster / "postmaster.pid").read_text().splitlines()[0]
        assert os.stat(f"/proc/{postmaster_pid}").st_uid == cluster.stat().st_uid
    finally:
        service.stop()


@only_as_root
def test_as_root_an_unreachable_data_dir_is_explained(tmp_path: Path) -> None:
    # tmp_path lies under /tmp/pytest-of-root (0700): `nobody` cannot get in.
    with pytest.raises(DevServiceError, match="cannot enter"):
        embedded(tmp_path, keep_running=False)


def test_kept_instance_is_reused_then_restarted_with_its_data(data_dir: Path, fetch, execute) -> None:
    try:
        first = embedded(data_dir, keep_running=True, database="bilin_dev")
        execute(first.url, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)")
        first.stop()  # keep_running: the server outlives this "run"
        assert listening(first.url)

        second = embedded(data_dir, keep_running=True, database="bilin_dev")
        assert second.url == first.url  # found running, not started anew

        stop_embedded_postgres(data_dir)
        assert not listening(first.url)
        third = embedded(data_dir, keep_running=True, database="bilin_dev")
        assert third.url == first.url  # same port again: a stable dev address
        assert fetch(third.url, "SELECT count(*) FROM kept") == 1
    finally:
        stop_embedded_postgres(data_dir)


def test_server_is_stopped_at_exit_when_the_caller_forgets(data_dir: Path) -> None:
    script = (
        "from pathlib import Path; from devservices import postgres_service; "
        f"print(postgres_service(database='t', data_dir=Path({str(data_dir)!r}), "
        "env={'BILIN_EMBEDDED_POSTGRES': '1'}, keep_running=False).url)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    url = result.stdout.strip().splitlines()[-1]
    assert urlsplit(url).path == "/t"
    assert not listening(url)
