"""Stopping the run command (SIGTERM, or Ctrl-C's SIGINT) stops everything it started: the API
and the worker beside it leave no orphan behind, within a few seconds."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest

from tests.support.devrun import alive, descendants, running_dev

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_run_command_leaves_no_process_behind(postgres_url, redis_url, worker_id, tmp_path,
                                                            stop_signal):
    with running_dev(postgres_url, redis_url, f"{worker_id}_devrun", log_path=tmp_path / "dev.log") as (dev, base):
        # The run command names its own environment: development, so the test clock is there.
        assert httpx.get(f"{base}/v1/test-clock", timeout=5).status_code == 200
        deadline = time.monotonic() + 30
        while not any(" worker" in command for command in descendants(dev.pid).values()):
            assert time.monotonic() < deadline, f"no worker started: {descendants(dev.pid)}"
            time.sleep(0.2)
        children = descendants(dev.pid)
        os.kill(dev.pid, stop_signal)
        deadline = time.monotonic() + 20
        while (dev.poll() is None or any(alive(pid) for pid in children)) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = {pid: command for pid, command in children.items() if alive(pid)}
        for pid in survivors:  # do not leave them to the next test either
            os.kill(pid, signal.SIGKILL)
        assert dev.poll() is not None, "the run command did not stop"
        assert not survivors, f"left running: {survivors}"
