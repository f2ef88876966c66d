"""The service as a real process: uvicorn serving ``api.asgi:app`` on a free loopback port,
configured by environment variables exactly as in production."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from devservices import free_port
from devservices.common import stop_process

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def wait_until_healthy(process: subprocess.Popen, base_url: str, *, within: float,
                       describe: Callable[[], str] = lambda: "") -> None:
    """Poll /healthz until the process serves; fail at once if it exits, or after ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited with {process.returncode}: {describe()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the service did not serve within {within} s: {describe()}")
        time.sleep(0.1)


@contextmanager
def running_service(env: dict[str, str], *, workers: int = 1, port: int | None = None,
                    log_path: Path | None = None, serve_command: bool = False,
                    started: list[subprocess.Popen[bytes]] | None = None) -> Iterator[str]:
    """Start the API, wait until /healthz answers, yield its base URL, stop it gracefully.

    ``serve_command`` runs it as production does (``python -m service.cli serve``: the server
    options come from the configuration) rather than through uvicorn's own command line;
    ``started`` receives the process, for a test that signals it itself."""
    port = port or free_port()
    full_env = {**os.environ, "BILIN_ENV": "test", "BILIN_LOG_LEVEL": "warning", **env}
    log_file = open(log_path, "wb") if log_path else subprocess.DEVNULL
    command = ([sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers)] if serve_command else
               [sys.executable, "-m", "uvicorn", "api.asgi:app", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--no-access-log", "--log-level", "warning"])
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=full_env, stdout=log_file,
                               stderr=subprocess.STDOUT)
    if started is not None:
        started.append(process)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, base_url, within=30)
        yield base_url
    finally:
        stop_process(process, timeout=15)
        if log_path:
            log_file.close()
