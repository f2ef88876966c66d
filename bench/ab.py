"""A against B in one run: ``python -m bench.ab --base DIR [--rounds 3] [--seconds 5]``.

Serves the checkout in DIR (an earlier commit, say ``git archive`` into a folder) and this one
in turn, round after round against one seeded database, and prints each endpoint's req/s and
worker CPU per request for both, with the ratio this ÷ base as the median over the rounds. On
a shared machine absolute numbers drift; rounds interleaved A B A B keep the ratio honest."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench.run import DATABASE_URL, DB, SERVER_ENV, _scenarios, _tokens
from bench.servers import recreate_database
from bench.seed import seed
from bench.servers import PROJECT_ROOT, uvicorn_server
from bench.wrk import Result, check_once, drive, require_wrk
from service.settings import load_settings
from store.migrate import migrate


def med(rs, f):
    return statistics.median(f(r) for r in rs)


def _per_request_ms(r: Result) -> float:
    return 1000 * r.cpu_s / r.requests if r.requests else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__)
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--this", type=Path, default=PROJECT_ROOT, help="the checkout to compare (default: this one)")
    parser.add_argument("--this-runner", default="uvicorn", choices=["uvicorn", "granian"])
    parser.add_argument("--this-python", default=sys.executable, help="the interpreter serving this side")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="endpoints whose name contains this")
    args = parser.parse_args()
    require_wrk()
    load = {"connections": args.connections, "threads": 2, "seconds": args.seconds}
    log_path = Path(tempfile.gettempdir()) / "bilin-bench-ab.log"
    asyncio.run(recreate_database(DB))
    migrate(DATABASE_URL)
    seeded = asyncio.run(seed(DATABASE_URL, load_settings({**os.environ, **SERVER_ENV}).data_key_bytes))
    tokens = _tokens(seeded)
    scenarios = [s for s in _scenarios(seeded) if args.only in s[0]]
    results: dict[str, dict[str, list[Result]]] = {"base": {}, "this": {}}
    try:
        for round_ in range(args.rounds):
            for label, cwd, runner, python in (("base", args.base, "uvicorn", sys.executable),
                                               ("this", args.this, args.this_runner, args.this_python)):
                with uvicorn_server("api.asgi:app", SERVER_ENV, workers=args.workers, log_path=log_path,
                                    cwd=cwd, runner=runner, python=python) as server:
                    for name, who, paths, _ in scenarios:
                        check_once(server, paths[0], tokens[who])
                        drive(server, name, paths, tokens[who], **{**load, "seconds": 2})
                        r = drive(server, name, paths, tokens[who], **load)
                        results[label].setdefault(name, []).append(r)
                        print(f"round {round_ + 1} {label}: {name} {r.rps:.0f} req/s "
                              f"{_per_request_ms(r):.2f} ms CPU/req p99 {r.p99_ms:.0f} ms", flush=True)
    finally:
        asyncio.run(recreate_database(DB, drop_only=True))
    print("\n| endpoint | base req/s | this req/s | ratio (median of rounds) | base CPU ms/req | this CPU ms/req | base p99 | this p99 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, *_ in scenarios:
        a, b = results["base"][name], results["this"][name]
        ratio = statistics.median(y.rps / x.rps for x, y in zip(a, b))
        print(f"| {name} | {med(a, lambda r: r.rps):.0f} | {med(b, lambda r: r.rps):.0f} | {ratio:.2f}× | "
              f"{med(a, _per_request_ms):.2f} | {med(b, _per_request_ms):.2f} | "
              f"{med(a, lambda r: r.p99_ms):.0f} | {med(b, lambda r: r.p99_ms):.0f} |")
    print(json.dumps({k: {n: [r.rps for r in rs] for n, rs in v.items()} for k, v in results.items()}))


if __name__ == "__main__":
    main()
