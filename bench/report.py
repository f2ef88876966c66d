"""The table in docs/benchmarks.md, and the verdict against the quality targets, computed
from the numbers of this run (so the prose can't drift from the table)."""

from __future__ import annotations

import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path

from bench.scenarios import Scenario
from bench.wrk import Result

FLOOR_SHARE, PEER_SHARE, RSS_MB = 0.70, 2.0, 200.0


def line(r: Result) -> str:
    return (f"{r.name}: {r.rps:.0f} req/s, p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, "
            f"non-2xx {r.non_2xx}, socket errors {r.socket_errors}, CPU {r.cpu_s:.1f} s, "
            f"peak RSS {'/'.join(f'{m:.0f}' for m in r.peak_rss_mb)} MB")


def _machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    return f"{os.cpu_count()} CPUs (nproc), {model}; Linux {platform.release()}; Python {platform.python_version()}"


def _median(results: list[Result], figure) -> float:
    return statistics.median(figure(r) for r in results)


def _cpu_ms(r: Result) -> float:
    return 1000 * r.cpu_s / r.requests if r.requests else 0.0


def _noise(results: list[Result]) -> str:
    """The spread of req/s between rounds, as a share of their median."""
    if len(results) < 2:
        return "–"
    rates = [r.rps for r in results]
    return f"±{(max(rates) - min(rates)) / 2 / statistics.median(rates):.0%}"


def _ratio(rps: float, other: float) -> str:
    """A side that served nothing in its rounds has no ratio (its row says so with 0 req/s)."""
    return f"{rps / other:.2f}" if other else "–"


def _row(c: Scenario, api: list[Result], floor: list[Result] | None, peer: list[Result] | None) -> str:
    rss = max((m for r in api for m in r.peak_rss_mb), default=0)
    errors = sum(r.socket_errors for r in api)
    unexpected = 0 if c.expect_status else sum(r.non_2xx for r in api)
    rps, p99 = _median(api, lambda r: r.rps), _median(api, lambda r: r.p99_ms)
    if floor:
        f_rps, f_p99 = _median(floor, lambda r: r.rps), _median(floor, lambda r: r.p99_ms)
        floor_cells = f"{f_rps:.0f} | {f_p99:.1f} | {_noise(floor)} | **{_ratio(rps, f_rps)}**"
    else:
        floor_cells = "– | – | – | –"
    if peer:
        p_rps = _median(peer, lambda r: r.rps)
        floor_cells += f" | {p_rps:.0f} | {_median(peer, lambda r: r.p99_ms):.1f} | **{_ratio(rps, p_rps)}**"
    else:
        floor_cells += " | – | – | –"
    return (f"| {c.name} | {rps:.0f} | {_median(api, lambda r: r.p50_ms):.1f} | {p99:.1f} | {_noise(api)} | "
            f"{_median(api, _cpu_ms):.2f} | {rss:.0f} | {unexpected} / {errors} | {floor_cells} |")


def _verdict(chosen: list[Scenario], api: dict[str, list[Result]], floor: dict[str, list[Result]],
             peer: dict[str, list[Result]]) -> list[str]:
    notes = []
    for c in chosen:
        results, bare = api[c.name], floor.get(c.name)
        misses = []
        rps, p99 = _median(results, lambda r: r.rps), _median(results, lambda r: r.p99_ms)
        if bare:
            f_rps, f_p99 = _median(bare, lambda r: r.rps), _median(bare, lambda r: r.p99_ms)
            if rps < FLOOR_SHARE * f_rps:
                misses.append(f"{rps / f_rps:.2f} of its floor (target ≥ 0.70)")
            if p99 > 2 * f_p99:
                misses.append(f"p99 {p99:.0f} ms, {p99 / f_p99:.1f}× the floor's (target ≤ 2×)")
        if peer.get(c.name):
            p_rps = _median(peer[c.name], lambda r: r.rps)
            if rps < PEER_SHARE * p_rps:
                misses.append(f"{rps / p_rps:.2f} × the peer's req/s (target ≥ 2)")
        rss = max((m for r in results for m in r.peak_rss_mb), default=0)
        if rss > RSS_MB:
            misses.append(f"worker peak RSS {rss:.0f} MB (target ≤ 200 MB)")
        bad = sum(r.socket_errors + (0 if c.expect_status else r.non_2xx) for r in results)
        if bad:
            misses.append(f"{bad} unexpected answers or socket errors")
        unchecked = "" if bare else " (no floor: the floor targets are not checked)"
        notes.append(f"- {c.name}: " + ("**misses** " + "; ".join(misses) if misses else "meets the targets")
                     + unchecked)
    return notes


def _races(races: dict[str, list[dict]]) -> str:
    lines = []
    for side, rounds in races.items():
        if rounds:
            ms = statistics.median(r["ms"] for r in rounds)
            outcome = ", ".join(f"{r['201']}×201 {r['409']}×409 {r['other']}×other" for r in rounds)
            lines.append(f"| {side} | {ms:.0f} | {outcome} |")
    return "\n".join(lines)


def markdown(chosen: list[Scenario], api: dict[str, list[Result]], floor: dict[str, list[Result]],
             peer: dict[str, list[Result]], races: dict[str, list[dict]], counts: dict[str, int], load: dict, workers: int, rounds: int) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = "\n".join(_row(c, api[c.name], floor.get(c.name), peer.get(c.name)) for c in chosen)
    data = ", ".join(f"{n} {k}" for k, n in counts.items())
    return f"""# Benchmarks

Measured {when} on {_machine()}.
Load: wrk, {load['threads']} threads, {load['connections']} connections, {load['seconds']} s per endpoint and
round (after a 2 s warm-up that is not recorded), {rounds} rounds, the API and the floor each served
by uvicorn with {workers} workers (the API as `service.cli serve` runs it: logging at info, rate
limits counted); wrk, PostgreSQL, Redis and the server all ran on this one machine, so they compete
for its CPUs. Data: one street with {data} (bench/seed.py).

Figures are the median of the rounds; "noise" is half the spread of req/s between rounds, as a
share of the median. "× floor" is the API's req/s ÷ the floor's, "× peer" ÷ the peer's.

| Endpoint | req/s | p50 ms | p99 ms | noise | CPU ms/req | peak RSS MB | unexpected / socket errors | floor req/s | floor p99 ms | floor noise | × floor | peer req/s | peer p99 ms | × peer |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{rows}

100 clients at once for one free slot (each round a new slot; exactly one 201 is right):

| server | ms until all answered (median) | answers per round |
|---|---:|---|
{_races(races)}

## Against the targets (≥ 0.7 × floor, ≥ 2 × the peer, p99 ≤ 2 × the floor's at {load['connections']} connections, worker RSS ≤ 200 MB)

{chr(10).join(_verdict(chosen, api, floor, peer))}

Caveats: on a shared 2-CPU machine the rounds of one endpoint can differ by 2× in req/s (the noise
column says how much they did here); read the × floor ratio, both sides measured the same way in
the same rounds, rather than absolute figures. The p99 figures include wrk and PostgreSQL competing
with the workers for the same CPUs.

## How to reproduce

`make bench` (or `.venv/bin/python -m bench.run [--seconds N] [--rounds N] [--only TEXT] [--keep-db]`).
It needs PostgreSQL on 127.0.0.1:5432 (user postgres; `BENCH_ADMIN_URL` to change), Redis on 6379
(`BENCH_REDIS_URL`) and `wrk` (`make bench` installs it with apt-get when missing and run as root).
It drops and recreates the database `bilin_bench`, migrates and seeds it, then for each round serves
the API (`uvicorn api.asgi:app --workers {workers}`, `BILIN_ENV=test`, rate limits raised out of the
way), the floor and the peer in turn (`--no-peer` skips the peer), drives each scenario, races 100 clients for one slot, writes this file and
drops the database. `python -m bench.ab --base DIR` compares two checkouts' reads round by round.

## What the numbers mean

- **req/s, p50, p99**: as wrk reports them (completed responses; latency from request sent to response read).
- **unexpected / socket errors**: non-2xx answers (but for the 409 row, where 409 is the point) and
  connect/read/write/timeout errors; a run with either is not a valid throughput figure.
- **CPU ms/req**: user + system CPU time of the server's worker processes during the measured run
  (from /proc; PostgreSQL's CPU is not included), per request.
- **peak RSS**: the largest worker VmHWM (peak resident memory since it started) over the rounds.
- **floor**: bench/floor.py — the statements the store modules send for that endpoint behind a bare
  ASGI callable with an asyncpg pool and msgspec, served the same way. It does no authentication, no
  grants query, no rules in Python, no ETag, no rate limit, no problem documents, so × floor is the
  cost of the framework **and** of those conventions together.
- **Writes**: "fresh ballots" are first ballots of 4,800 (household, open vote) pairs, buildings
  interleaved; "fresh slots" book 4,800 free 30-minute slots over 20 lounges, lounges interleaved;
  "409" asks for a taken slot again and again. What a run wrote is deleted before the next run.
- **peer**: bench/peer/app.py — the same endpoints written the ordinary way (FastAPI, SQLAlchemy 2
  async ORM over the reflected schema, Pydantic, PyJWT per request, the caller's grants per request),
  in a venv of its own (`.data/bench-peer`, from bench/peer/requirements.txt), served the same way.
- Residents' reads (proposals, availability, /v1/me) use a resident's token; the street-wide lists
  (buildings, tasks) a platform client's. "Read a proposal" cycles through the building's 15 proposals.

## Not measured yet

Street statistics, the district-scale data set asked for by the quality targets, and a floor and a
peer for availability.
"""
