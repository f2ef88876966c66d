"""GET /v1/stats for a street at district scale: ``.venv/bin/python -m bench.stats_scale``.

Creates the database ``bilin_bench_stats`` (dropped first), migrates it, and writes the
*rollups* of a synthetic street straight into the statistics tables — 2,000 buildings in 20
communities, 100 households each, 31 days, every counter present on every building-day (the
dense case: a real street leaves most building-days empty), several acting households per
building-day, resolution times and stage durations — plus a space per ten buildings and a
closed vote per ten buildings. The raw rows behind such rollups are not what is measured (the
district-scale seeding of raw rows belongs to bench/seed.py); the question is the request's
cost over the rollups. Then it serves the API (uvicorn, 2 workers as bench.run) and times
sequential requests: p50 / p95 / p99 over ``--requests`` after a warm-up, for the street
scope, grouped by month, and grouped by community."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import asyncpg
import httpx

from api.auth.tokens import KeyRing
from bench.servers import uvicorn_server
from domain.permissions import PLATFORM_SCOPES, Principal
from service.settings import load_settings
from store.migrate import migrate
from usecases.operator import create_platform_client

DB = "bilin_bench_stats"
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB
SERVER_ENV = {
    "BILIN_ENV": "test", "BILIN_LOG_LEVEL": "warning", "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    **{f"BILIN_RATE_LIMIT_{k}": "100000000/60" for k in ("CLIENT", "PERSON", "ANONYMOUS", "TOKEN")},
}
COMMUNITIES, BUILDINGS, HOUSEHOLDS, DAYS = 20, 2000, 100, 31
FIRST = date(2026, 10, 1)
COUNTERS = ("reports_received", "reports_urgent", "reports_received_resolved", "reports_resolved", "ratings",
            "ratings_satisfied", "ratings_sum", "tasks_created", "tasks_open", "tasks_done", "tasks_done_on_time",
            "tasks_overdue", "proposals_created", "proposals_stage:collecting", "votes_decided", "votes_adopted",
            "bookings", "bookings_settled", "bookings_no_show", "booked_minutes")


async def seed_rollups(conn: asyncpg.Connection) -> str:
    """The synthetic street's places and rollups, set-based; returns the street id."""
    street_id, _, _ = await create_platform_client(conn, street_name="统计基准街道", name="bench",
                                                   scopes=PLATFORM_SCOPES)
    await conn.execute(
        """INSERT INTO communities (id, street_id, name)
           SELECT 'com_bench' || c, $1, '社区 ' || c FROM generate_series(1, $2) c""", street_id, COMMUNITIES)
    await conn.execute(
        """INSERT INTO buildings (id, street_id, community_id, name)
           SELECT 'bld_bench' || b, $1, 'com_bench' || (b % $3 + 1), b || ' 号楼' FROM generate_series(1, $2) b""",
        street_id, BUILDINGS, COMMUNITIES)
    await conn.execute(
        """INSERT INTO stats_daily (street_id, community_id, building_id, day, metric, n)
           SELECT $1, 'com_bench' || (b % $3 + 1), 'bld_bench' || b, $4::date - 30, 'households', $5
             FROM generate_series(1, $2) b""", street_id, BUILDINGS, COMMUNITIES, FIRST, HOUSEHOLDS)
    await conn.execute(
        """INSERT INTO stats_daily (street_id, community_id, building_id, day, metric, n)
           SELECT $1, 'com_bench' || (b % $3 + 1), 'bld_bench' || b, $4::date + d, m, 1 + floor(random() * 4)
             FROM generate_series(1, $2) b, generate_series(0, $5 - 1) d, unnest($6::text[]) m""",
        street_id, BUILDINGS, COMMUNITIES, FIRST, DAYS, list(COUNTERS))
    await conn.execute(
        """INSERT INTO stats_activity (street_id, community_id, building_id, day, household_id, person_id, kind, n)
           SELECT $1, 'com_bench' || (b % $3 + 1), 'bld_bench' || b, $4::date + d,
                  'hh_bench' || b || '_' || floor(random() * $6)::int || '_' || h,
                  'psn_bench' || b || '_' || h || '_' || d % 7, 'act', 1
             FROM generate_series(1, $2) b, generate_series(0, $5 - 1) d, generate_series(1, 5) h
           ON CONFLICT DO NOTHING""", street_id, BUILDINGS, COMMUNITIES, FIRST, DAYS, HOUSEHOLDS)
    await conn.execute(
        """INSERT INTO stats_durations (metric, source_id, street_id, community_id, building_id, day, value)
           SELECT m, 'src_' || b || '_' || i || '_' || m, $1, 'com_bench' || (b % $3 + 1), 'bld_bench' || b,
                  $4::date + (i * 7) % $5, random() * 100
             FROM generate_series(1, $2) b, generate_series(1, 5) i,
                  unnest(ARRAY['report_resolution_hours', 'stage_days:collecting', 'stage_days:voting']) m""",
        street_id, BUILDINGS, COMMUNITIES, FIRST, DAYS)
    await conn.execute(
        """INSERT INTO spaces (id, street_id, community_id, building_id, name, kind, capacity, opening_hours)
           SELECT 'spc_bench' || b, $1, 'com_bench' || (b % $3 + 1), 'bld_bench' || b, '活动室', 'lounge', 20,
                  '{"mon": ["08:00-21:00"], "tue": ["08:00-21:00"], "wed": ["08:00-21:00"],
                    "thu": ["08:00-21:00"], "fri": ["08:00-21:00"], "sat": ["09:00-18:00"]}'
             FROM generate_series(10, $2, 10) b""", street_id, BUILDINGS, COMMUNITIES)
    await conn.execute(
        """INSERT INTO votes (id, street_id, community_id, building_id, subject_type, subject_id, rule, secret,
                              max_choices, opens_at, closes_at)
           SELECT 'vot_bench' || b, $1, 'com_bench' || (b % $3 + 1), 'bld_bench' || b, 'proposal', 'prp_bench' || b,
                  'simple_majority', false, 1, $4::date + 3, $4::date + 10
             FROM generate_series(10, $2, 10) b""", street_id, BUILDINGS, COMMUNITIES, FIRST)
    await conn.execute(_DERIVED, street_id)
    await conn.execute("VACUUM ANALYZE")  # as autovacuum leaves a settled table: index-only scans
    return street_id


# What the triggers keep beside the buildings' rows, derived here as stats_rebuild() does: the
# communities' counter rows and the months' distinct counts.
_DERIVED = """
    WITH counters AS (
        INSERT INTO stats_daily (street_id, community_id, building_id, day, metric, n)
        SELECT street_id, community_id, '*', day, metric, sum(n) FROM stats_daily
         WHERE street_id = $1 AND building_id <> '*' GROUP BY 1, 2, 3, 4, 5 RETURNING 1),
    households AS (
        INSERT INTO stats_month_households (street_id, community_id, building_id, month, household_id, n)
        SELECT street_id, community_id, building_id, date_trunc('month', day)::date, household_id, sum(n)
          FROM stats_activity WHERE street_id = $1 AND kind = 'act' AND household_id <> ''
         GROUP BY 1, 2, 3, 4, 5 RETURNING 1),
    persons AS (
        INSERT INTO stats_month_persons (place_id, month, person_id, n)
        SELECT place, date_trunc('month', day)::date, person_id, sum(n)
          FROM stats_activity, LATERAL (VALUES (building_id), (community_id), (street_id)) l(place)
         WHERE street_id = $1 AND person_id <> '' GROUP BY 1, 2, 3 RETURNING 1)
    INSERT INTO stats_daily (street_id, community_id, building_id, day, metric, n)
    SELECT street_id, community, building, date_trunc('month', day)::date, metric, count(DISTINCT who)
      FROM stats_activity a,
           LATERAL (VALUES (community_id, building_id, household_id, 'month_acting_households'),
                           (community_id, '*', household_id, 'month_acting_households'),
                           (community_id, building_id, person_id, 'month_active_persons'),
                           (community_id, '*', person_id, 'month_active_persons'),
                           ('*', '*', person_id, 'month_active_persons')) l(community, building, who, metric)
     WHERE street_id = $1 AND n > 0 AND who <> '' AND (metric = 'month_active_persons' OR kind = 'act')
     GROUP BY 1, 2, 3, 4, 5
"""


async def _recreate(drop_only: bool = False) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        if not drop_only:
            await conn.execute(f"CREATE DATABASE {DB}")
    finally:
        await conn.close()


async def _seed() -> tuple[str, dict[str, int]]:
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        street_id = await seed_rollups(conn)
        counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}")
                  for t in ("stats_daily", "stats_activity", "stats_durations")}
    finally:
        await conn.close()
    return street_id, counts


async def _street() -> str:
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        return await conn.fetchval("SELECT id FROM streets WHERE name = '统计基准街道'")
    finally:
        await conn.close()


def _time(base_url: str, token: str, query: str, requests: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    timings = []
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for i in range(requests + 10):
            started = time.perf_counter()
            response = client.get(f"/v1/stats?{query}")
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if i >= 10:  # the first ten warm the pools and caches
                timings.append(elapsed)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats_scale", description=__doc__)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="measure a database kept by --keep-db again")
    args = parser.parse_args()
    if not args.reuse_db:
        asyncio.run(_recreate())
    try:
        if args.reuse_db:
            street_id = asyncio.run(_street())
        else:
            migrate(DATABASE_URL)
            started = time.perf_counter()
            street_id, counts = asyncio.run(_seed())
            print(f"seeded rollups in {time.perf_counter() - started:.0f} s: {counts}", flush=True)
        settings = load_settings({**os.environ, **SERVER_ENV})
        ring = KeyRing(settings.signing_keys, settings.active_kid, settings.access_token_ttl)
        token, _ = ring.issue(Principal(kind="platform", client_id="bench", street_id=street_id,
                                        scopes=PLATFORM_SCOPES))
        period = f"from={FIRST}&to=2026-10-31"
        log = Path(tempfile.gettempdir()) / "bilin-bench-stats.log"
        with uvicorn_server("api.asgi:app", SERVER_ENV, workers=2, log_path=log) as server:
            for name, query in (("street, a calendar month", period),
                                ("street, a calendar month by community", f"{period}&group_by=community"),
                                ("community, a calendar month", f"{period}&scope=community&id=com_bench1"),
                                ("building, a calendar month", f"{period}&scope=building&id=bld_bench1"),
                                ("street, 2–31 October (not a calendar month)", "from=2026-10-02&to=2026-10-31")):
                timings = sorted(_time(server.base_url, token, query, args.requests))
                q = statistics.quantiles(timings, n=100, method="inclusive")
                print(f"GET /v1/stats ({name}): n={len(timings)} p50={q[49]:.1f} ms p95={q[94]:.1f} ms "
                      f"p99={q[98]:.1f} ms max={timings[-1]:.1f} ms", flush=True)
    finally:
        if not (args.keep_db or args.reuse_db):
            asyncio.run(_recreate(drop_only=True))


if __name__ == "__main__":
    main()
