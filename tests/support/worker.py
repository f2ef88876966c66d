"""The worker as a real process (``python -m service.cli worker``), configured by environment
variables as in production, its log kept in a file the test can show when it fails."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devservices.common import stop_process

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WORKER = ["service.cli", "worker"]


@contextmanager
def running_worker(database_url: str, log_path: Path, *, module: list[str] = WORKER,
                   env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """Start a worker, wait until it says it runs, yield the process; stop it gracefully
    (unless the test already stopped or killed it)."""
    full_env = {**os.environ, "BILIN_ENV": "test", "DATABASE_URL": database_url, "BILIN_LOG_LEVEL": "info",
                **(env or {})}
    full_env.pop("REDIS_URL", None)
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", *module], cwd=PROJECT_ROOT, env=full_env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while b"worker_started" not in log_path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            stop_process(process, timeout=20)


async def only_this_street_delivers(db, street_id: str) -> None:
    """Switch off the webhook endpoints other tests left in this database (the contract
    fuzzer's among them, with made-up host names), so a worker started now calls only this
    test's receivers and never anything off the machine."""
    await db.execute(
        """UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'manual'
           WHERE street_id <> $1 AND enabled""", street_id)
    await db.execute(
        """UPDATE webhook_deliveries SET status = 'cancelled', last_error = 'endpoint_disabled'
           WHERE street_id <> $1 AND status = 'pending'""", street_id)
