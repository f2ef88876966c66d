"""Shared fixtures: real PostgreSQL and Redis (configured, local, or started for the run),
a database cloned from the migrated template, and the app served in-process."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from devservices import postgres_service, redis_service
from devservices.wechat_standin import WeChatStandIn
from service.settings import RateLimit, Settings
from store.db import init_connection
from tests.support.databases import drop_test_database, prepare_test_database
from tests.support.platform import Platform, new_street_client, sign_in

# Without BILIN_ENV the service is production; a bare `pytest` (not only `make test`) runs as
# test, and so does every process the tests start.
os.environ.setdefault("BILIN_ENV", "test")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / ".data"
GENEROUS = RateLimit(1_000_000, 60)  # tests that do not test rate limits must never hit one
WECHAT_TIMEOUT = 1.0  # the API's wait for WeChat in tests; the stand-in's "slow" code waits longer


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> str:
    # Each test process gets its own data directory: an embedded server started by one
    # process must not be stopped under another.
    service = postgres_service(database="postgres", data_dir=DATA_DIR / f"test-{worker_id.split('_')[0]}",
                               keep_running=False)
    yield service.url
    service.stop()


@pytest.fixture(scope="session")
def redis_url() -> str:
    service = redis_service(data_dir=DATA_DIR, start_if_missing=True)
    assert service is not None
    yield service.url
    service.stop()


@pytest.fixture(scope="session")
def database_url(postgres_url: str, worker_id: str) -> str:
    url = prepare_test_database(postgres_url, worker_id)
    yield url
    drop_test_database(postgres_url, worker_id)


@pytest.fixture(scope="session")
def wechat() -> WeChatStandIn:
    """The WeChat stand-in: a real HTTP server on loopback speaking WeChat's protocol."""
    standin = WeChatStandIn(slow_seconds=WECHAT_TIMEOUT * 3).start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def test_settings(database_url: str, redis_url: str, wechat: WeChatStandIn,
                  tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment="test", database_url=database_url, redis_url=redis_url, log_level="warning",
        rate_limit_client=GENEROUS, rate_limit_person=GENEROUS, rate_limit_anonymous=GENEROUS,
        rate_limit_token=GENEROUS, db_pool_max=20,
        wechat_api_base=wechat.base_url, wechat_timeout=WECHAT_TIMEOUT,
        media_dir=str(tmp_path_factory.mktemp("media")),
    )


@pytest.fixture(scope="session")
async def client(test_settings: Settings) -> AsyncIterator[AsyncTestClient]:
    app = create_app(test_settings)
    async with AsyncTestClient(app=app, base_url="http://bilin.test") as test_client:
        yield test_client


@pytest.fixture(scope="session")
async def db(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool for arranging and inspecting state directly in SQL."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=5, init=init_connection)
    yield pool
    await pool.close()


@pytest.fixture
async def platform(client: AsyncTestClient, database_url: str) -> Platform:
    """A fresh street with a platform client holding every scope, signed in."""
    return await sign_in(client, await new_street_client(database_url))


@pytest.fixture
async def other_platform(client: AsyncTestClient, database_url: str) -> Platform:
    """The client of another street: it must never see the first street's data."""
    return await sign_in(client, await new_street_client(database_url))


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main") + f"_{os.getpid()}"
