"""Which PostgreSQL postgres_service picks: configured, local, or embedded."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devservices import postgres as postgres_module
from devservices import postgres_service
from devservices.common import port_accepts_connections
from devservices.pg_sql import can_connect, with_database

FORCE_EMBEDDED = {"BILIN_EMBEDDED_POSTGRES": "1"}
DEFAULT_PORT = 5432


def test_database_url_wins_over_everything(tmp_path: Path) -> None:
    configured = "postgresql://app:secret@db.invalid:6543/custom_name"
    env = {"DATABASE_URL": configured, **FORCE_EMBEDDED}
    service = postgres_service(database="bilin", data_dir=tmp_path / "unused", env=env)
    assert (service.url, service.origin) == (configured, "configured")
    service.stop()  # a no-op: nothing was started
    assert not (tmp_path / "unused").exists()


def test_local_server_is_used_and_database_created(tmp_path: Path, fetch, execute) -> None:
    if not can_connect(postgres_module.local_server_url()):
        pytest.skip("no PostgreSQL letting user postgres in on 127.0.0.1:5432")
    name = f"bilin_devservices_{uuid.uuid4().hex[:8]}"
    try:
        service = postgres_service(database=name, data_dir=tmp_path, env={})
        assert service.origin == "local"
        assert service.url == f"postgresql://postgres@127.0.0.1:5432/{name}"
        assert fetch(service.url, "SELECT current_database()") == name
        # Asking again finds the database already there.
        again = postgres_service(database=name, data_dir=tmp_path, env={})
        assert again.url == service.url
    finally:
        local = postgres_module.local_server_url()
        execute(local, f'DROP DATABASE IF EXISTS "{name}"')
    assert not (tmp_path / "postgres").exists()


def test_forced_embedded_postgres_serves_btree_gist_and_stops(data_dir: Path, fetch, execute) -> None:
    service = postgres_service(
        database="bilin_test", data_dir=data_dir, env=FORCE_EMBEDDED, keep_running=False
    )
    port = urlsplit(service.url).port
    assert service.origin == "embedded"
    assert port != DEFAULT_PORT
    assert fetch(service.url, "SELECT 1") == 1
    assert fetch(service.url, "SELECT current_database()") == "bilin_test"
    execute(service.url, "CREATE EXTENSION IF NOT EXISTS btree_gist")
    installed = "SELECT extname FROM pg_extension WHERE extname = 'btree_gist'"
    assert fetch(service.url, installed) == "btree_gist"
    # A throwaway cluster trades durability for speed.
    assert fetch(service.url, "SHOW fsync") == "off"

    service.stop()
    assert not port_accepts_connections("127.0.0.1", port)
    service.stop()  # idempotent


def test_embedded_is_the_fallback_when_nothing_answers_locally(
    data_dir: Path, closed_port: int, monkeypatch: pytest.MonkeyPatch, fetch
) -> None:
    monkeypatch.setattr(postgres_module, "LOCAL_PORT", closed_port)
    service = postgres_service(database="bilin_test", data_dir=data_dir, env={}, keep_running=False)
    try:
        assert service.origin == "embedded"
        assert fetch(service.url, "SELECT 1") == 1
    finally:
        service.stop()


def test_with_database_keeps_everything_but_the_name() -> None:
    url = "postgresql://postgres:pw@127.0.0.1:5/postgres?sslmode=disable"
    expected = "postgresql://postgres:pw@127.0.0.1:5/bilin?sslmode=disable"
    assert with_database(url, "bilin") == expected
