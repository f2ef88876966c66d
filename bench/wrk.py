"""Drive one endpoint with wrk and collect its numbers together with the server's CPU time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.servers import Server

LUA = Path(__file__).with_name("paths.lua")


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        sys.exit("wrk is not installed; on Debian/Ubuntu: sudo apt-get install -y wrk "
                 "(macOS: brew install wrk). The benchmark does not install it for you.")
    return path


@dataclass
class Result:
    name: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    cpu_s: float  # workers' user+system CPU seconds during the run
    peak_rss_mb: list[float]


def drive(server: Server, name: str, paths: list[str], token: str, *, connections: int, threads: int,
          seconds: int, requests_file: Path | None = None) -> Result:
    """GET ``paths`` with ``token``; or, with ``requests_file``, its requests (see paths.lua)."""
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_PATHS": " ".join(paths),
           "BENCH_REQUESTS": str(requests_file or ""), "BENCH_THREADS": str(threads)}
    command = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
               "-s", str(LUA), server.base_url]
    cpu_before = server.cpu_seconds()
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - cpu_before
    line = next(line for line in out.splitlines() if line.startswith("BENCH_RESULT "))
    r = json.loads(line.removeprefix("BENCH_RESULT "))
    return Result(
        name=name, requests=r["requests"], rps=r["requests"] / (r["duration_us"] / 1e6),
        p50_ms=r["p50_us"] / 1000, p99_ms=r["p99_us"] / 1000, non_2xx=r["status"],
        socket_errors=r["connect"] + r["read"] + r["write"] + r["timeout"], cpu_s=cpu,
        peak_rss_mb=server.peak_rss_mb())


def check_once(server: Server, path: str, token: str) -> None:
    """One request before the load: a 4xx here would make the whole run meaningless."""
    import urllib.request

    request = urllib.request.Request(server.base_url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # raises on 4xx/5xx
        response.read()
