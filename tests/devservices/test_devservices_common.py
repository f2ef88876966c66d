from __future__ import annotations

import asyncio
import socket

from devservices import Service, free_port
from devservices.common import StopOnce, flag_is_set, run_coroutine
from devservices.pg_sql import can_connect


def test_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_stop_runs_once_however_often_it_is_called() -> None:
    calls: list[str] = []
    stop = StopOnce(lambda: calls.append("stopped"))
    stop()
    stop()
    assert calls == ["stopped"]


def test_service_stop_defaults_to_a_no_op() -> None:
    Service(url="redis://127.0.0.1:6379/0", origin="local").stop()


def test_force_flags_accept_the_usual_spellings() -> None:
    assert flag_is_set({"X": "1"}, "X") and flag_is_set({"X": "true"}, "X")
    assert not flag_is_set({"X": "0"}, "X") and not flag_is_set({}, "X")


async def test_sync_helpers_work_inside_a_running_event_loop() -> None:
    # asyncio_mode=auto runs this on pytest-asyncio's loop: asyncio.run() here would fail.
    assert run_coroutine(lambda: asyncio.sleep(0, result="done")) == "done"
    assert not can_connect(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres")
