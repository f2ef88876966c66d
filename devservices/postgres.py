"""Find or start the PostgreSQL a local run or the test suite uses.

Order: DATABASE_URL as configured; else a local server on 127.0.0.1:5432 that lets
user `postgres` in without a password; else the embedded server under
<data_dir>/postgres. BILIN_EMBEDDED_POSTGRES=1 skips the local server, so the embedded
path can be exercised on machines that have one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from devservices import pg_embedded
from devservices.common import (
    ORIGIN_CONFIGURED,
    ORIGIN_EMBEDDED,
    ORIGIN_LOCAL,
    Service,
    StopOnce,
    flag_is_set,
)
from devservices.pg_sql import can_connect, ensure_database

log = logging.getLogger(__name__)

DATABASE_URL_ENV = "DATABASE_URL"
FORCE_EMBEDDED_ENV = "BILIN_EMBEDDED_POSTGRES"
LOCAL_HOST = "127.0.0.1"
LOCAL_PORT = 5432  # module-level so tests can point "local" at a closed port


def local_server_url() -> str:
    return f"postgresql://postgres@{LOCAL_HOST}:{LOCAL_PORT}/postgres"


def postgres_service(
    *,
    database: str,
    data_dir: Path,
    env: Mapping[str, str] = os.environ,
    keep_running: bool = True,
) -> Service:
    """The PostgreSQL to use, with `database` existing on it (unless configured).

    keep_running: leave an embedded server we start running after this process ends,
    so the next run starts instantly (the run command). False stops it at stop() or at
    exit (the test command). A server found already running is never stopped by us.
    """
    configured = env.get(DATABASE_URL_ENV)
    if configured:
        return Service(url=configured, origin=ORIGIN_CONFIGURED)

    if not flag_is_set(env, FORCE_EMBEDDED_ENV) and can_connect(local_server_url()):
        return Service(url=ensure_database(local_server_url(), database), origin=ORIGIN_LOCAL)

    server_url, stop = pg_embedded.start_or_reuse(Path(data_dir), keep_running=keep_running, env=env)
    service = Service(url=server_url, origin=ORIGIN_EMBEDDED)
    if stop is not None:
        service.stop = StopOnce(stop)  # registered before anything else can fail
    try:
        service.url = ensure_database(server_url, database)
    except BaseException:
        service.stop()
        raise
    return service
