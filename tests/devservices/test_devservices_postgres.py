from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from devservices import DevServiceError, postgres_service, stop_embedded_postgres
from devservices import postgres as postgres_module
from devservices.common import port_accepts_connections
from devservices.pg_sql import can_connect, with_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FORCE_EMBEDDED = {"BILIN_EMBEDDED_POSTGRES": "1"}


def on(url: str, use):
    async def run():
        connection = await asyncpg.connect(url, timeout=5)
        try:
            return await use(connection)
        finally:
            await connection.close()

    return asyncio.run(run())


def fetch(url: str, sql: str):
    return on(url, lambda connection: connection.fetchval(sql))


def execute(url: str, sql: str) -> None:
    on(url, lambda connection: connection.execute(sql))


def port_of(url: str) -> int:
    return urlsplit(url).port


def test_database_url_wins_over_everything(tmp_path: Path) -> None:
    configured = "postgresql://app:secret@db.invalid:6543/custom_name"
    service = postgres_service(
        database="bilin",
        data_dir=tmp_path / "unused",
        env={"DATABASE_URL": configured, **FORCE_EMBEDDED},
    )
    assert (service.url, service.origin) == (configured, "configured")
    service.stop()  # a no-op: nothing was started
    assert not (tmp_path / "unused").exists()


def test_local_server_is_used_and_database_created(tmp_path: Path) -> None:
    if not can_connect(postgres_module.local_server_url()):
        pytest.skip("no PostgreSQL with trust auth for user postgres on 127.0.0.1:5432")
    name = f"bilin_devservices_{uuid.uuid4().hex[:8]}"
    service = postgres_service(database=name, data_dir=tmp_path, env={})
    try:
        assert service.origin == "local"
        assert service.url == f"postgresql://postgres@127.0.0.1:5432/{name}"
        assert fetch(service.url, "SELECT current_database()") == name
        # Asking again finds the database already there.
        assert (
            postgres_service(database=name, data_dir=tmp_path, env={}).url
            == service.url
        )
    finally:
        execute(postgres_module.local_server_url(), f'DROP DATABASE IF EXISTS "{name}"')
    assert not (tmp_path / "postgres").exists()


def test_forced_embedded_postgres_serves_btree_gist_and_stops(data_dir: Path) -> None:
    service = postgres_service(
        database="bilin_test", data_dir=data_dir, env=FORCE_EMBEDDED, keep_running=False
    )
    port = port_of(service.url)
    assert service.origin == "embedded"
    assert port != 5432
    assert fetch(service.url, "SELECT 1") == 1
    assert fetch(service.url, "SELECT current_database()") == "bilin_test"
    execute(service.url, "CREATE EXTENSION IF NOT EXISTS btree_gist")
    assert (
        fetch(
            service.url, "SELECT extname FROM pg_extension WHERE extname = 'btree_gist'"
        )
        == "btree_gist"
    )
    assert (
        fetch(service.url, "SHOW fsync") == "off"
    )  # throwaway cluster: speed over durability

    service.stop()
    assert not port_accepts_connections("127.0.0.1", port)
    service.stop()  # idempotent


@pytest.mark.skipif(
    os.geteuid() != 0, reason="only root has to hand PostgreSQL to another user"
)
def test_as_root_the_cluster_belongs_to_an_unprivileged_user(data_dir: Path) -> None:
    service = postgres_service(
        database="bilin_test", data_dir=data_dir, env=FORCE_EMBEDDED, keep_running=False
    )
    try:
        cluster_owner = (data_dir / "postgres" / "data").stat().st_uid
        assert cluster_owner != 0
        server_pid = fetch(service.url, "SELECT pg_backend_pid()")
        assert os.stat(f"/proc/{server_pid}").st_uid == cluster_owner
    finally:
        service.stop()


@pytest.mark.skipif(
    os.geteuid() != 0, reason="only root has to hand PostgreSQL to another user"
)
def test_as_root_an_unreachable_data_dir_is_explained(tmp_path: Path) -> None:
    # tmp_path sits under /tmp/pytest-of-root (0700): `nobody` cannot get in.
    with pytest.raises(DevServiceError, match="cannot enter"):
        postgres_service(
            database="bilin_test",
            data_dir=tmp_path,
            env=FORCE_EMBEDDED,
            keep_running=False,
        )


def test_embedded_is_the_fallback_when_nothing_answers_locally(
    data_dir: Path, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_module, "LOCAL_PORT", closed_port)
    service = postgres_service(
        database="bilin_test", data_dir=data_dir, env={}, keep_running=False
    )
    try:
        assert service.origin == "embedded"
        assert fetch(service.url, "SELECT 1") == 1
    finally:
        service.stop()


def test_kept_embedded_instance_is_reused_then_restarted_with_its_data(
    data_dir: Path,
) -> None:
    first = postgres_service(
        database="bilin_dev", data_dir=data_dir, env=FORCE_EMBEDDED, keep_running=True
    )
    try:
        execute(first.url, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)")
        first.stop()  # keep_running: the server outlives this "run"
        assert port_accepts_connections("127.0.0.1", port_of(first.url))

        second = postgres_service(
            database="bilin_dev",
            data_dir=data_dir,
            env=FORCE_EMBEDDED,
            keep_running=True,
        )
        assert (
            second.url == first.url
        )  # the running instance was found, not a new one started

        stop_embedded_postgres(data_dir)
        assert not port_accepts_connections("127.0.0.1", port_of(first.url))
        third = postgres_service(
            database="bilin_dev",
            data_dir=data_dir,
            env=FORCE_EMBEDDED,
            keep_running=True,
        )
        assert (
            third.url == first.url
        )  # same port again, so a kept dev database keeps its address
        assert fetch(third.url, "SELECT id FROM kept") == 7
    finally:
        stop_embedded_postgres(data_dir)


def test_embedded_server_is_stopped_at_exit_when_the_caller_forgets(
    data_dir: Path,
) -> None:
    script = (
        "from pathlib import Path; from devservices import postgres_service; "
        f"print(postgres_service(database='bilin_test', data_dir=Path({str(data_dir)!r}), "
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
    assert not port_accepts_connections("127.0.0.1", port_of(url))


def test_with_database_keeps_everything_but_the_name() -> None:
    assert (
        with_database(
            "postgresql://postgres:pw@127.0.0.1:5/postgres?sslmode=disable", "bilin"
        )
        == "postgresql://postgres:pw@127.0.0.1:5/bilin?sslmode=disable"
    )
