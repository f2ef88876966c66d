"""Start an ASGI app under uvicorn with N worker processes, and read the workers' CPU time
and peak memory from /proc (Linux only), so the numbers cover the server, not the load
generator or the benchmark script."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from devservices.common import stop_process

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def uvicorn_server(app: str, env: dict[str, str], *, workers: int, log_path: Path,
                   cwd: Path = PROJECT_ROOT, runner: str = "uvicorn",
                   python: str = sys.executable) -> Iterator[Server]:
    """``runner``: uvicorn (as service/serving.py runs it) or granian (ASGI, uvloop), to compare."""
    port = free_port()
    if runner == "granian":
        command = [python, "-m", "granian", "--interface", "asgi", "--loop", "uvloop", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning", app]
    else:
        command = [python, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        server = Server(process, f"http://127.0.0.1:{port}", port)
        try:
            server.wait_ready(workers)
            yield server
        finally:
            stop_process(process, timeout=20)


class Server:
    def __init__(self, process: subprocess.Popen, base_url: str, port: int) -> None:
        self.process, self.base_url, self.port = process, base_url, port

    def wait_ready(self, workers: int) -> None:
        # Ready when /healthz answers and every worker process exists (a request may be
        # served by the first worker while the second is still importing).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.base_url}: the server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=1) as response:
                    if response.status == 200 and len(self.worker_pids()) >= workers:
                        time.sleep(1.0)  # let the slower worker finish starting up
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.base_url} did not become ready within 60 s")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        # multiprocessing may also start a resource tracker beside the workers: not a worker.
        return [int(c) for c in children
                if b"resource_tracker" not in _read(f"/proc/{c}/cmdline")]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the workers so far."""
        total = 0
        for pid in self.worker_pids():
            fields = _read(f"/proc/{pid}/stat").rsplit(b")", 1)[-1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / _TICKS

    def peak_rss_mb(self) -> list[float]:
        """Each worker's peak resident memory (VmHWM) since it started."""
        peaks = []
        for pid in self.worker_pids():
            for line in _read(f"/proc/{pid}/status").splitlines():
                if line.startswith(b"VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


async def recreate_database(name: str, drop_only: bool = False) -> None:
    """A benchmark's own database, dropped and (unless ``drop_only``) created empty."""
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop_only:
            await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
