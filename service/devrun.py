"""The run command's set-up: point DATABASE_URL and REDIS_URL at what is there.

Configured URLs win; otherwise a local PostgreSQL on 127.0.0.1:5432, else an embedded one
under .data/ (kept running between runs so the next start is instant). Redis: configured,
else a local one on 6379, else none — the service then counts rate limits in-process and
says so in its log (correct for one process only). WeChat: WECHAT_API_BASE when configured,
else a stand-in server on a free loopback port, in this process, for as long as it runs (so
residents can sign in without WeChat; production refuses an http:// base)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import MutableMapping, Sequence
from pathlib import Path

from devservices import postgres_service, redis_service
from devservices.common import stop_process
from devservices.wechat_standin import WeChatStandIn

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / ".data"
STOP_TIMEOUT = 15.0  # seconds each child gets to finish gracefully before SIGKILL
_RUNNING: list[WeChatStandIn] = []  # the stand-in serves from a daemon thread until exit


def use_development_environment(environ: MutableMapping[str, str] = os.environ) -> None:
    """The service defaults to production; the run command is development unless told otherwise
    (set before anything reads the settings, and inherited by the worker it starts)."""
    if not environ.get("BILIN_ENV"):
        environ["BILIN_ENV"] = "development"


def prepare_local_services() -> None:
    postgres = postgres_service(database="bilin", data_dir=DATA_DIR, keep_running=True)
    os.environ["DATABASE_URL"] = postgres.url
    print(f"PostgreSQL: {postgres.origin} ({_redact(postgres.url)})", file=sys.stderr)
    redis = redis_service(data_dir=DATA_DIR, start_if_missing=False)
    if redis is not None:
        os.environ["REDIS_URL"] = redis.url
        print(f"Redis: {redis.origin} ({redis.url})", file=sys.stderr)
    else:
        os.environ.pop("REDIS_URL", None)
        print("Redis: none found; rate limits are counted in this process only", file=sys.stderr)
    if os.environ.get("WECHAT_API_BASE"):
        print(f"WeChat: {os.environ['WECHAT_API_BASE']} (configured)", file=sys.stderr)
    else:
        standin = WeChatStandIn().start()
        _RUNNING.append(standin)
        os.environ["WECHAT_API_BASE"] = standin.base_url
        print(f"WeChat: stand-in on {standin.base_url} (login code X signs in as openid-X; "
              "phone code phone-13800138000 verifies that number)", file=sys.stderr)


class _Stop(Exception):
    pass


def _raise_stop(signum: int, _frame: object) -> None:
    raise _Stop(signum)


def run_together(commands: Sequence[Sequence[str]]) -> int:
    """Run the commands as children in one process group of their own, until a signal (SIGTERM,
    SIGINT from Ctrl-C, SIGHUP) or until one of them exits; then stop them all.

    The API is a child too, not served in this process: uvicorn re-raises the signal it caught
    once it has shut down, which would end this process before it could stop the worker. Their
    own group keeps Ctrl-C from reaching the children twice, and lets one signal reach the
    grandchildren too (uvicorn's worker processes)."""
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    children: list[subprocess.Popen] = []
    try:
        for command in commands:
            group = children[0].pid if children else 0  # 0: the first child leads a new group
            children.append(subprocess.Popen(list(command), cwd=PROJECT_ROOT, process_group=group))
        while True:
            for child in children:
                if child.poll() is not None:
                    print(f"{' '.join(child.args[2:])} exited with {child.returncode}; stopping the rest",
                          file=sys.stderr)
                    return child.returncode or 1
            time.sleep(0.2)
    except _Stop:
        return 0
    finally:
        # Ignore further signals while stopping, so a second Ctrl-C cannot cut the stop short.
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        _stop_group(children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_group(children: list[subprocess.Popen]) -> None:
    for child in children:
        stop_process(child, timeout=STOP_TIMEOUT)
    if children:
        try:  # whatever is left in the group (a grandchild whose parent was killed)
            os.killpg(children[0].pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _redact(url: str) -> str:
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}{'@' if at else ''}{host}" if at else url
