"""The benchmark, in one command: ``.venv/bin/python -m bench.run`` (or ``make bench``).

Creates the database ``bilin_bench`` (dropped first), migrates and seeds it, serves the API
as in production (uvicorn, 2 workers), drives each hot path with wrk, does the same for the
floor (bench/floor.py), writes docs/benchmarks.md and drops the database (--keep-db keeps it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from api.auth.tokens import KeyRing
from bench import report
from bench.seed import Seeded, seed
from bench.servers import PROJECT_ROOT, uvicorn_server
from bench.wrk import Result, check_once, drive, require_wrk
from domain.permissions import PLATFORM_SCOPES, Principal
from service.settings import load_settings
from store.migrate import migrate

DB = "bilin_bench"
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB
UNLIMITED = "100000000/60"  # rate limits out of the way: we measure the service, not the limiter
SERVER_ENV = {
    "BILIN_ENV": "test", "BILIN_LOG_LEVEL": "warning", "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    **{f"BILIN_RATE_LIMIT_{k}": UNLIMITED for k in ("CLIENT", "PERSON", "ANONYMOUS", "TOKEN")},
}


async def _recreate_database(drop_only: bool = False) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        if not drop_only:
            await conn.execute(f"CREATE DATABASE {DB}")
    finally:
        await conn.close()


def _tokens(seeded: Seeded) -> dict[str, str]:
    """Tokens minted by the app's own key ring, as the token endpoint would (tests do the same)."""
    settings = load_settings({**os.environ, **SERVER_ENV})
    ring = KeyRing(settings.signing_keys, settings.active_kid, settings.access_token_ttl)
    platform, _ = ring.issue(Principal(kind="platform", client_id=seeded.platform_client_id,
                                       street_id=seeded.street_id, scopes=PLATFORM_SCOPES))
    resident, _ = ring.issue(Principal(kind="person", client_id=seeded.miniprogram_client_id,
                                       street_id=seeded.street_id, person_id=seeded.resident_id))
    return {"platform": platform, "resident": resident}


def _scenarios(s: Seeded) -> list[tuple[str, str, list[str], bool]]:
    """(name, token, paths, has a floor): the hot reads, as the caller who makes them."""
    b = s.building_ids[0]
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    window = f"from={start:%Y-%m-%dT%H:%M:%SZ}&to={start + timedelta(days=7):%Y-%m-%dT%H:%M:%SZ}"
    return [
        ("GET /v1/buildings/{id}/proposals", "resident", [f"/v1/buildings/{b}/proposals"], True),
        ("GET /v1/proposals/{id}", "resident", [f"/v1/proposals/{p}" for p in s.proposal_ids], True),
        ("GET /v1/buildings", "platform", ["/v1/buildings"], True),
        ("GET /v1/spaces/{id}/availability (7 days)", "resident",
         [f"/v1/spaces/{s.space_id}/availability?{window}"], False),
        ("GET /v1/buildings/{id}/tasks", "platform", [f"/v1/buildings/{b}/tasks"], False),
        ("GET /v1/me", "resident", ["/v1/me"], False),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers, API and floor alike")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the database {DB} afterwards")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    require_wrk()
    load = {"connections": args.connections, "threads": args.threads, "seconds": args.seconds}
    log_path = Path(tempfile.gettempdir()) / "bilin-bench-servers.log"

    asyncio.run(_recreate_database())
    try:
        migrate(DATABASE_URL)
        seeded = asyncio.run(seed(DATABASE_URL, load_settings({**os.environ, **SERVER_ENV}).data_key_bytes))
        print(f"seeded {DB}: {json.dumps(seeded.counts)}", flush=True)
        tokens = _tokens(seeded)
        scenarios = _scenarios(seeded)
        api: list[Result] = []
        floor: dict[str, Result] = {}
        with uvicorn_server("api.asgi:app", SERVER_ENV, workers=args.workers, log_path=log_path) as server:
            for name, who, paths, _ in scenarios:
                check_once(server, paths[0], tokens[who])
                drive(server, name, paths, tokens[who], **{**load, "seconds": 2})  # warm-up, not recorded
                api.append(drive(server, name, paths, tokens[who], **load))
                print(report.line(api[-1]), flush=True)
        floor_env = {**SERVER_ENV, "BENCH_STREET_ID": seeded.street_id}
        with uvicorn_server("bench.floor:app", floor_env, workers=args.workers, log_path=log_path) as server:
            for name, _, paths, has_floor in scenarios:
                if has_floor:
                    bare = [p.removeprefix("/v1") for p in paths]
                    check_once(server, bare[0], "")
                    drive(server, name, bare, "", **{**load, "seconds": 2})
                    floor[name] = drive(server, name, bare, "", **load)
                    print("floor " + report.line(floor[name]), flush=True)
        args.out.write_text(report.markdown(api, floor, seeded.counts, load, args.workers))
        print(f"wrote {args.out}")
    finally:
        if not args.keep_db:
            asyncio.run(_recreate_database(drop_only=True))


if __name__ == "__main__":
    main()
