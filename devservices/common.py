"""Pieces shared by the PostgreSQL and Redis finders."""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import socket
import subprocess
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# Service.origin values.
ORIGIN_CONFIGURED = "configured"  # from DATABASE_URL / REDIS_URL
ORIGIN_LOCAL = "local"  # a server already answering on the default local port
ORIGIN_EMBEDDED = "embedded"  # one we started, or found started under our data dir


class DevServiceError(RuntimeError):
    """A development service could not be found or started."""


def _no_op() -> None:
    return None


@dataclass
class Service:
    url: str
    origin: str
    # No-op unless this process started the server and owns its lifetime.
    stop: Callable[[], None] = field(default=_no_op, repr=False)


class StopOnce:
    """A stop function that runs at most once, and at interpreter exit if not before.

    Callers (a CLI, a pytest fixture) should call stop() themselves; the atexit hook
    covers the forgetful or failing path, so a server does not outlive its starter.
    """

    def __init__(self, stop: Callable[[], None]) -> None:
        self._stop: Callable[[], None] | None = stop
        atexit.register(self)

    def __call__(self) -> None:
        stop, self._stop = self._stop, None
        if stop is None:
            return
        atexit.unregister(self)
        stop()


def flag_is_set(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now.

    Someone could take it between now and our server binding it; the server then fails
    to start with a clear error, which is good enough for development.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_accepts_connections(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def run_coroutine(make_coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run async client code (asyncpg) from these synchronous functions.

    Always on a short-lived thread of its own: asyncio.run() in the caller's thread would
    refuse to run inside a running loop, and otherwise would reset that thread's current
    event loop to None when done, pulling it from under pytest-asyncio's session loop.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def stop_process(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM, so the process shuts down gracefully; SIGKILL if it has not within ``timeout``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
