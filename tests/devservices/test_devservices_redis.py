from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from devservices import redis_server as redis_module
from devservices import redis_service
from devservices.common import port_accepts_connections

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FORCE_EMBEDDED = {"BILIN_EMBEDDED_REDIS": "1"}
DEFAULT_PORT = 6379


def test_redis_url_wins_over_everything(tmp_path: Path) -> None:
    configured = "redis://cache.invalid:7000/3"
    service = redis_service(
        data_dir=tmp_path,
        start_if_missing=True,
        env={"REDIS_URL": configured, **FORCE_EMBEDDED},
    )
    assert service is not None
    assert (service.url, service.origin) == (configured, "configured")
    service.stop()  # a no-op: nothing was started


def test_local_redis_is_used(tmp_path: Path) -> None:
    if not redis_module.answers_ping("127.0.0.1", 6379):
        pytest.skip("no Redis answering PING on 127.0.0.1:6379")
    service = redis_service(data_dir=tmp_path, start_if_missing=True, env={})
    assert service is not None
    assert (service.url, service.origin) == ("redis://127.0.0.1:6379/0", "local")
    assert not (tmp_path / "redis").exists()


def test_started_redis_answers_without_persistence_and_stops(tmp_path: Path) -> None:
    service = redis_service(data_dir=tmp_path, start_if_missing=False, env=FORCE_EMBEDDED)
    assert service is not None and service.origin == "embedded"
    port = urlsplit(service.url).port
    assert port != DEFAULT_PORT
    client = redis.Redis.from_url(service.url)
    try:
        assert client.ping()
        assert client.config_get("save") == {"save": ""}
        assert client.config_get("appendonly") == {"appendonly": "no"}
    finally:
        client.close()

    service.stop()
    assert not port_accepts_connections("127.0.0.1", port)
    assert not list((tmp_path / "redis").glob("*.log"))  # nothing left behind
    service.stop()  # idempotent


def test_without_redis_the_run_command_gets_none(
    tmp_path: Path, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_module, "LOCAL_PORT", closed_port)
    assert redis_service(data_dir=tmp_path, start_if_missing=False, env={}) is None


def test_without_redis_the_test_command_starts_one(
    tmp_path: Path, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_module, "LOCAL_PORT", closed_port)
    service = redis_service(data_dir=tmp_path, start_if_missing=True, env={})
    assert service is not None and service.origin == "embedded"
    try:
        assert redis_module.answers_ping("127.0.0.1", urlsplit(service.url).port)
    finally:
        service.stop()


def test_started_redis_is_stopped_at_exit_when_the_caller_forgets(
    tmp_path: Path,
) -> None:
    script = (
        "from pathlib import Path; from devservices import redis_service; "
        f"print(redis_service(data_dir=Path({str(tmp_path)!r}), start_if_missing=True, "
        "env={'BILIN_EMBEDDED_REDIS': '1'}).url)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    port = urlsplit(result.stdout.strip().splitlines()[-1]).port
    assert not port_accepts_connections("127.0.0.1", port)


def test_started_redis_dies_with_a_killed_parent(tmp_path: Path) -> None:
    # SIGKILL leaves no chance for atexit: the parent-death signal stops redis-server.
    script = (
        "import time; from pathlib import Path; from devservices import redis_service; "
        f"print(redis_service(data_dir=Path({str(tmp_path)!r}), start_if_missing=True, "
        "env={'BILIN_EMBEDDED_REDIS': '1'}).url, flush=True); time.sleep(60)"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = urlsplit(parent.stdout.readline().strip()).port
        assert redis_module.answers_ping("127.0.0.1", port)
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
    deadline = time.monotonic() + 5
    while port_accepts_connections("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not port_accepts_connections("127.0.0.1", port)
