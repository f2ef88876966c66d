"""The run command as a real process: ``python -m service.cli dev`` (what ``make run`` runs) on a
database of its own cloned from the migrated template, a free port and the test Redis, with no
BILIN_ENV (the command names its environment itself) and its own WeChat stand-in."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devservices import free_port
from devservices.common import stop_process
from tests.support.databases import drop_test_database, prepare_test_database
from tests.support.server import wait_until_healthy

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def running_dev(postgres_url: str, redis_url: str, name: str, *, log_path: Path,
                command: list[str] | None = None) -> Iterator[tuple[subprocess.Popen, str]]:
    """Start the run command (or ``command``, e.g. ``make run``), wait until its API answers,
    yield (process, base URL); stop it. It leads a process group of its own, as a shell's
    foreground job does, so a test can send Ctrl-C's SIGINT to the whole group."""
    database_url = prepare_test_database(postgres_url, name)
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("BILIN_ENV", "WECHAT_API_BASE") and not key.startswith("PYTEST_")}
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, PORT=str(port), BILIN_LOG_LEVEL="warning")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command or [sys.executable, "-m", "service.cli", "dev"], cwd=PROJECT_ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, process_group=0)
        base_url = f"http://127.0.0.1:{port}"
        try:
            # migrations and the demo data come first
            wait_until_healthy(process, base_url, within=120, describe=log_path.read_text)
            yield process, base_url
        finally:
            stop_process(process, timeout=30)
            drop_test_database(postgres_url, name)


def descendants(pid: int) -> dict[int, str]:
    """Every living process below ``pid`` (Linux /proc), with its command line."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":  # a zombie has exited already
            parents[int(entry.name)] = int(fields[1])
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                found[child] = commands.get(child, "")
                frontier.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
