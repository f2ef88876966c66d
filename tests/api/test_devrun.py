"""Stopping the run command stops everything it started: SIGTERM to it or to `make run`, or
Ctrl-C (SIGINT to the terminal's foreground process group) leave neither the API nor the worker
beside it running, within a few seconds."""

from __future__ import annotations

import os
import signal
import sys
import time

import httpx
import pytest

from tests.support.devrun import alive, descendants, running_dev

pytestmark = pytest.mark.slow

DEV = [sys.executable, "-m", "service.cli", "dev"]
MAKE_RUN = ["make", "-s", "run"]


@pytest.mark.parametrize(("command", "stop_signal", "to_group"), [
    (DEV, signal.SIGTERM, False),
    (DEV, signal.SIGINT, False),
    (MAKE_RUN, signal.SIGTERM, False),
    (MAKE_RUN, signal.SIGINT, True),  # Ctrl-C in the terminal
], ids=["dev-SIGTERM", "dev-SIGINT", "make-run-SIGTERM", "make-run-Ctrl-C"])
def test_stopping_the_run_command_leaves_no_process_behind(postgres_url, redis_url, worker_id, tmp_path,
                                                            command, stop_signal, to_group):
    with running_dev(postgres_url, redis_url, f"{worker_id}_devrun", log_path=tmp_path / "dev.log",
                     command=command) as (dev, base):
        # The run command names its own environment: development, so the test clock is there.
        assert httpx.get(f"{base}/v1/test-clock", timeout=5).status_code == 200
        deadline = time.monotonic() + 30
        while not any(" worker" in line for line in descendants(dev.pid).values()):
            assert time.monotonic() < deadline, f"no worker started: {descendants(dev.pid)}"
            time.sleep(0.2)
        children = descendants(dev.pid)
        if to_group:
            os.killpg(dev.pid, stop_signal)
        else:
            os.kill(dev.pid, stop_signal)
        deadline = time.monotonic() + 20
        while (dev.poll() is None or any(alive(pid) for pid in children)) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = {pid: line for pid, line in children.items() if alive(pid)}
        for pid in survivors:  # do not leave them to the next test either
            os.kill(pid, signal.SIGKILL)
        assert dev.poll() is not None, "the run command did not stop"
        assert not survivors, f"left running: {survivors}"
