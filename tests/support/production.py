"""The app in its production configuration, in-process: production keys (not the
development ones), the test clock off, the webhook egress guard on."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator

from litestar.testing import AsyncTestClient

from api.app import create_app
from service.settings import Settings
from tests.support.databases import scratch_database, with_database


def production_settings(base: Settings, **overrides: object) -> Settings:
    """The defaults (which are production's), with the test run's servers and generous rate
    limits taken from ``base``, and fresh keys."""
    key = base64.b64encode(os.urandom(32)).decode()
    kept = {f.name: getattr(base, f.name) for f in dataclasses.fields(Settings)
            if f.name in ("database_url", "redis_url", "log_level", "db_pool_max") or f.name.startswith("rate_limit")}
    return Settings(**{**kept, "environment": "production", "jwt_keys": f"prod-1:{key}",
                       "data_key": base64.b64encode(os.urandom(32)).decode(), **overrides})


@dataclasses.dataclass(frozen=True)
class ProductionApp:
    client: AsyncTestClient
    database_url: str  # its own database: arrange data for it here


@contextlib.asynccontextmanager
async def production_client(base: Settings, **overrides: object) -> AsyncIterator[ProductionApp]:
    """Production on a database of its own, cloned from the migrated template: production
    refuses to start while any client keeps a development secret, and the database a test
    process shares may hold the demo data another test loaded."""
    server = with_database(base.database_url, "postgres")
    async with scratch_database(server, f"bilin_production_{os.getpid()}_{uuid.uuid4().hex[:8]}") as url:
        app = create_app(production_settings(base, database_url=url, **overrides))
        async with AsyncTestClient(app=app, base_url="http://bilin.test") as client:
            yield ProductionApp(client, url)
