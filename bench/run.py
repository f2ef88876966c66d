"""The benchmark, in one command: ``.venv/bin/python -m bench.run`` (or ``make bench``).

Creates the database ``bilin_bench`` (dropped first), migrates and seeds it, serves the API
as in production (uvicorn, 2 workers, logging at info), drives each hot path with wrk, does
the same for the floor (bench/floor.py), round after round (the median of 3 is reported, with
the spread between rounds), races 100 clients for one slot on each, writes docs/benchmarks.md
and drops the database (--keep-db keeps it). Writes meet fresh ballots and slots: what a round
wrote is deleted before the next server is driven."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx

from api.auth.tokens import KeyRing
from bench import report
from bench.scenarios import Scenario, day_start, scenarios
from bench.seed import Seeded, seed
from bench.servers import PROJECT_ROOT, Server, database_url, recreate_database, uvicorn_server
from bench.wrk import Result, check_once, drive, require_wrk
from domain.permissions import PLATFORM_SCOPES, Principal
from service.settings import load_settings
from store.migrate import migrate

DB = "bilin_bench"
DATABASE_URL = database_url(DB)
# What the peer answers (bench/peer/app.py); availability is not written there.
PEER_SCENARIOS = {"GET /v1/buildings/{id}/proposals", "GET /v1/proposals/{id}", "GET /v1/buildings",
                  "GET /v1/buildings/{id}/tasks", "GET /v1/me", "PUT /v1/proposals/{id}/ballot (fresh ballots)",
                  "POST /v1/spaces/{id}/bookings (fresh slots)", "POST /v1/spaces/{id}/bookings (409, slot taken)"}
UNLIMITED = "100000000/60"  # rate limits out of the way: we measure the service, not the limiter
SERVER_ENV = {
    "BILIN_ENV": "test", "BILIN_LOG_LEVEL": "info", "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    **{f"BILIN_RATE_LIMIT_{k}": UNLIMITED for k in ("CLIENT", "PERSON", "ANONYMOUS", "TOKEN")},
}


PEER_DIR = PROJECT_ROOT / "bench" / "peer"
PEER_VENV = PROJECT_ROOT / ".data" / "bench-peer"


def _peer_python() -> str:
    """The peer's own venv, from bench/peer/requirements.txt (never the service's)."""
    python = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / ".requirements"
    wanted = (PEER_DIR / "requirements.txt").read_text()
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        uv = str(PROJECT_ROOT / ".venv" / "bin" / "uv")
        subprocess.run([uv, "venv", "-q", "--allow-existing", "-p", sys.executable, str(PEER_VENV)], check=True)
        subprocess.run([uv, "pip", "install", "-q", "--python", str(python), "-r",
                        str(PEER_DIR / "requirements.txt")], check=True)
        stamp.write_text(wanted)
    return str(python)




def _tokens(seeded: Seeded) -> dict[str, str]:
    """Tokens minted by the app's own key ring, as the token endpoint would (tests do the same):
    the platform client's, the resident's of building 0, and every resident's by person id."""
    settings = load_settings({**os.environ, **SERVER_ENV})
    ring = KeyRing(settings.signing_keys, settings.active_kid, settings.access_token_ttl)
    platform, _ = ring.issue(Principal(kind="platform", client_id=seeded.platform_client_id,
                                       street_id=seeded.street_id, scopes=PLATFORM_SCOPES))
    tokens = {"platform": platform}
    for person in seeded.household_of:
        tokens[person], _ = ring.issue(Principal(kind="person", client_id=seeded.miniprogram_client_id,
                                                 street_id=seeded.street_id, person_id=person))
    tokens["resident"] = tokens[seeded.resident_id]
    return tokens


def _scenarios(s: Seeded) -> list[tuple[str, str, list[str], bool]]:
    """The reads alone, as (name, token, paths, has a floor): bench/ab.py compares checkouts with them."""
    return [(c.name, c.who, c.paths, c.floor_paths is not None)
            for c in scenarios(s, _tokens(s), Path(tempfile.mkdtemp())) if not c.write]


async def _forget_writes(seeded: Seeded) -> None:
    """What the writes added, gone: the next run meets fresh ballots and free slots again."""
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        # Requests wrk gave up on and the worker's booking jobs may still be writing (and the
        # statistics triggers touch the same rollup rows): take the tables first, so they wait
        # for this cleanup instead of deadlocking with it.
        for attempt in range(5):
            try:
                async with conn.transaction():
                    await conn.execute("LOCK TABLE jobs, bookings, ballots, ballot_history "
                                       "IN SHARE ROW EXCLUSIVE MODE")
                    await conn.execute("DELETE FROM ballot_history; DELETE FROM ballots; "
                                       "DELETE FROM jobs WHERE kind LIKE 'booking.%'")
                    await conn.execute("DELETE FROM bookings WHERE created_at > $1", seeded.seeded_at)
                return
            except asyncpg.DeadlockDetectedError:
                if attempt == 4:
                    raise
                await asyncio.sleep(1)
    finally:
        await conn.close()


def _run(server: Server, c: Scenario, tokens: dict[str, str], load: dict, seeded: Seeded, floor: bool) -> Result:
    paths = c.floor_paths if floor else c.paths
    requests = c.floor_requests if floor else c.requests
    token = "" if floor or not c.who else tokens[c.who]
    if requests is None:
        check_once(server, paths[0], token)
    drive(server, c.name, paths or [], token, **{**load, "seconds": 2}, requests_file=requests)  # warm-up
    if c.write:
        asyncio.run(_forget_writes(seeded))
    result = drive(server, c.name, paths or [], token, **load, requests_file=requests)
    if c.write:
        asyncio.run(_forget_writes(seeded))
    return result


async def _race(server: Server, seeded: Seeded, tokens: dict[str, str], slot_index: int, floor: bool) -> dict:
    # (the peer is raced like the API: same paths, same tokens)
    """100 clients at once for one free slot: exactly one 201 is right; the time until all are answered."""
    start = day_start(1) + timedelta(hours=4, minutes=30 * slot_index)  # clear of the book-ahead minimum
    body = {"start_at": start.isoformat(), "end_at": (start + timedelta(minutes=30)).isoformat(), "attendees": 2}
    residents = seeded.residents_of[seeded.building_ids[0]]
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30,
                                 limits=httpx.Limits(max_connections=100)) as http:
        async def one(i: int) -> int:
            person = residents[i % len(residents)]
            if floor:
                url = f"/spaces/{seeded.space_id}/bookings?person={person}&household={seeded.household_of[person]}"
                return (await http.post(url, json=body)).status_code
            return (await http.post(f"/v1/spaces/{seeded.space_id}/bookings", json=body,
                                    headers={"Authorization": f"Bearer {tokens[person]}"})).status_code
        started = time.perf_counter()
        statuses = await asyncio.gather(*(one(i) for i in range(100)))
        elapsed = time.perf_counter() - started
    return {"ms": elapsed * 1000, "201": statuses.count(201), "409": statuses.count(409),
            "other": len(statuses) - statuses.count(201) - statuses.count(409)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="per endpoint and round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="the median is reported (default 3)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers, API and floor alike")
    parser.add_argument("--no-peer", action="store_true", help="skip the peer (bench/peer)")
    parser.add_argument("--only", default="", help="only the scenarios whose name contains this")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the database {DB} afterwards")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    require_wrk()
    load = {"connections": args.connections, "threads": args.threads, "seconds": args.seconds}
    log_path = Path(tempfile.gettempdir()) / "bilin-bench-servers.log"
    files = Path(tempfile.mkdtemp(prefix="bilin-bench-"))

    asyncio.run(recreate_database(DB))
    try:
        migrate(DATABASE_URL)
        seeded = asyncio.run(seed(DATABASE_URL, load_settings({**os.environ, **SERVER_ENV}).data_key_bytes))
        print(f"seeded {DB}: {json.dumps(seeded.counts)}", flush=True)
        tokens = _tokens(seeded)
        chosen = [c for c in scenarios(seeded, tokens, files) if args.only in c.name]
        api: dict[str, list[Result]] = {}
        floor: dict[str, list[Result]] = {}
        peer: dict[str, list[Result]] = {}
        races: dict[str, list[dict]] = {"api": [], "floor": [], "peer": []}
        floor_env = {**SERVER_ENV, "BENCH_STREET_ID": seeded.street_id}
        sides = [("api", "api.asgi:app", SERVER_ENV, api, PROJECT_ROOT, sys.executable),
                 ("floor", "bench.floor:app", floor_env, floor, PROJECT_ROOT, sys.executable)]
        if not args.no_peer:
            peer_env = {**floor_env, "BILIN_JWT_KEYS": load_settings({**os.environ, **SERVER_ENV}).jwt_keys}
            sides.append(("peer", "app:app", peer_env, peer, PEER_DIR, _peer_python()))
        for round_ in range(args.rounds):
            for side, app, env, results, cwd, python in sides:
                # Access tokens live at most 15 minutes and a full run takes longer: every server
                # gets tokens (and the request files that carry them) minted just before it.
                tokens = _tokens(seeded)
                chosen = [c for c in scenarios(seeded, tokens, files) if args.only in c.name]
                with uvicorn_server(app, env, workers=args.workers, log_path=log_path, cwd=cwd,
                                    python=python) as server:
                    for c in chosen:
                        if side == "floor" and c.floor_paths is None:
                            continue
                        if side == "peer" and c.name not in PEER_SCENARIOS:
                            continue
                        results.setdefault(c.name, []).append(
                            _run(server, c, tokens, load, seeded, floor=side == "floor"))
                        print(f"round {round_ + 1} {side} " + report.line(results[c.name][-1]), flush=True)
                    if not args.only:
                        races[side].append(asyncio.run(
                            _race(server, seeded, tokens, 3 * round_ + ["api", "floor", "peer"].index(side),
                                  side == "floor")))
                        print(f"round {round_ + 1} {side} race: {races[side][-1]}", flush=True)
        args.out.write_text(report.markdown(chosen, api, floor, peer, races, seeded.counts, load, args.workers,
                                            args.rounds))
        print(f"wrote {args.out}")
    finally:
        if not args.keep_db:
            asyncio.run(recreate_database(DB, drop_only=True))


if __name__ == "__main__":
    main()
