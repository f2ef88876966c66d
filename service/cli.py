"""The service's commands: ``python -m service.cli <command>``.

  dev            find or start PostgreSQL (and Redis), migrate, load demo data, serve (and a worker)
  serve          serve the API (production shape: uvicorn with BILIN_WORKERS processes)
  worker         deliver webhooks, run due jobs, keep the event feed numbered
  migrate        apply the SQL migrations to DATABASE_URL
  create-client  create a street (if new) and a platform client; prints the secret once
  seed-demo      load the demo places (not in production)
  stats-rebuild  recompute the statistics rollups from the raw rows (after a bulk load)
  openapi        print the OpenAPI document (yaml or json)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from service.services import Profile, Services
from service.settings import load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set")
    return url


# An operator's command runs one connection's worth of statements, some long (the demo data).
CLI = Profile("bilin-cli", command_timeout=300.0)


async def _with_connection(action):  # type: ignore[no-untyped-def]
    """Run ``action(conn, services)`` on a connection of the shared services (built by the
    composition root, as for the API and the worker)."""
    _database_url()
    services = Services.build(load_settings(), CLI)
    await services.start()
    try:
        async with services.db.connection() as conn:
            return await action(conn, services)
    finally:
        await services.stop()


def cmd_migrate(_: argparse.Namespace) -> None:
    from store.migrate import migrate

    migrate(_database_url())


def cmd_create_client(args: argparse.Namespace) -> None:
    from usecases.operator import create_platform_client

    scopes = frozenset(args.scopes.split()) if args.scopes else None
    kwargs = {"scopes": scopes} if scopes else {}
    street_id, client_id, secret = asyncio.run(_with_connection(
        lambda conn, _: create_platform_client(conn, street_name=args.street, name=args.name, **kwargs)))
    print(f"street_id={street_id}\nclient_id={client_id}\nclient_secret={secret}")
    print("The secret is shown once and stored only as a digest.", file=sys.stderr)


def cmd_seed_demo(_: argparse.Namespace) -> None:
    from usecases.demo import DEMO_SECRET, load_demo

    if load_settings().production:
        sys.exit("refusing to load demo data in production")
    loaded = asyncio.run(_with_connection(lambda conn, _: load_demo(conn)))
    for street, client_id in loaded:
        print(f"demo platform client for {street}: client_id={client_id} client_secret={DEMO_SECRET}")
    _seed_demo_miniprograms()


def _seed_demo_miniprograms() -> None:
    from usecases.demo_wechat import load_demo_miniprograms

    loaded = asyncio.run(_with_connection(lambda conn, services: load_demo_miniprograms(conn, services.sealer)))
    for street, client_id, appid in loaded:
        print(f"demo mini-program client for {street}: client_id={client_id} appid={appid} "
              "(with the WeChat stand-in, login code X signs in as openid-X)")
    from usecases.demo_people import DEMO_PEOPLE, load_for_juyuan

    juyuan_appid = next(appid for street, _, appid in loaded if street == "菊园新区")
    asyncio.run(_with_connection(lambda conn, _: load_for_juyuan(conn, juyuan_appid)))
    from usecases.demo_activity import load_demo_activity
    from usecases.demo_month import cast_demo_ballots, load_demo_month

    # The month's residents first, so that they are among the voters of the demo vote.
    asyncio.run(_with_connection(lambda conn, services: _demo_now(conn, services, load_demo_month)))
    juyuan_client = next(client_id for street, client_id, _ in loaded if street == "菊园新区")
    asyncio.run(_with_connection(lambda conn, _: load_demo_activity(conn, client_id=juyuan_client)))
    asyncio.run(_with_connection(lambda conn, services: _demo_now(conn, services, cast_demo_ballots)))
    print("demo residents of 菊园新区 (login codes): " + ", ".join(
        f"{code}={name}" for code, name, *_ in DEMO_PEOPLE))


def cmd_stats_rebuild(_: argparse.Namespace) -> None:
    from usecases.stats import rebuild

    async def run(conn, _):  # type: ignore[no-untyped-def]
        async with conn.transaction():
            await rebuild(conn)

    asyncio.run(_with_connection(run))
    print("statistics rollups rebuilt")


async def _demo_now(conn, services, action):  # type: ignore[no-untyped-def]
    """Run a demo loader at business time (the test clock may have moved it)."""
    from usecases.clock import BusinessClock

    return await action(conn, await BusinessClock(enabled=True).now(conn))


def cmd_openapi(args: argparse.Namespace) -> None:
    from api.openapi_export import render_openapi

    sys.stdout.write(render_openapi(args.format))


def cmd_serve(args: argparse.Namespace) -> None:
    from service.serving import serve

    settings = load_settings()
    settings.check()
    serve(settings, host=args.host, port=args.port, workers=args.workers)


def cmd_dev(args: argparse.Namespace) -> None:
    from service.devrun import prepare_local_services, run_together, use_development_environment

    use_development_environment()
    prepare_local_services()
    cmd_migrate(args)
    cmd_seed_demo(args)
    # The API and a worker beside it (so webhooks and deadlines act in a local run too), stopped
    # together: a signal to this process stops both.
    cli = [sys.executable, "-m", "service.cli"]
    sys.exit(run_together([
        [*cli, "worker"],
        [*cli, "serve", "--host", args.host, "--port", str(args.port), "--workers", str(args.workers)],
    ]))


def cmd_worker(args: argparse.Namespace) -> None:
    from service.logging import configure_logging
    from worker.main import run_worker

    settings = load_settings()
    settings.check()
    if not settings.database_url:
        sys.exit("DATABASE_URL is not set")
    configure_logging(settings.log_level)
    asyncio.run(run_worker(settings, heartbeat_file=args.heartbeat_file))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m service.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler in (("dev", cmd_dev), ("serve", cmd_serve)):
        command = commands.add_parser(name)
        command.add_argument("--host", default=os.environ.get("BILIN_HOST", "127.0.0.1"))
        command.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        command.add_argument("--workers", type=int, default=int(os.environ.get("BILIN_WORKERS", "1")))
        command.set_defaults(handler=handler)
    commands.add_parser("migrate").set_defaults(handler=cmd_migrate)
    worker = commands.add_parser("worker")
    worker.add_argument("--heartbeat-file", type=Path, default=None,
                        help="touched every few seconds while the worker runs (for health checks)")
    worker.set_defaults(handler=cmd_worker)
    commands.add_parser("seed-demo").set_defaults(handler=cmd_seed_demo)
    commands.add_parser("stats-rebuild").set_defaults(handler=cmd_stats_rebuild)
    create = commands.add_parser("create-client")
    create.add_argument("--street", required=True, help="street name; created when new")
    create.add_argument("--name", default="platform", help="a label for the client")
    create.add_argument("--scopes", help="space-separated; default: every platform scope")
    create.set_defaults(handler=cmd_create_client)
    openapi = commands.add_parser("openapi")
    openapi.add_argument("--format", choices=("yaml", "json"), default="yaml")
    openapi.set_defaults(handler=cmd_openapi)
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
