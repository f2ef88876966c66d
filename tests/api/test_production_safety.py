"""Production refuses what is only safe in development: development keys however they are
written, and the published development client secret (seeded demo data left in a database
that is then served in production)."""

from __future__ import annotations

import base64
import dataclasses
import os

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from service.settings import DEV_DATA_KEY, DEV_JWT_KEYS, Settings, UnsafeConfiguration
from store.db import init_connection
from tests.support.databases import scratch_database
from tests.support.production import production_settings
from usecases.demo import DEMO_SECRET
from usecases.operator import create_platform_client

DEV_KID, DEV_SECRET = DEV_JWT_KEYS.split(":")


def fresh_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def production(**overrides: object) -> Settings:
    return Settings(**{"environment": "production", "database_url": "postgresql://db/bilin",
                       "redis_url": "redis://redis:6379/0", "jwt_keys": f"prod:{fresh_key()}",
                       "data_key": fresh_key(), "wechat_api_base": "https://api.weixin.qq.com",
                       **overrides})


def test_fresh_keys_pass():
    production().check()


@pytest.mark.parametrize("jwt_keys", [
    DEV_JWT_KEYS,
    f"prod:{DEV_SECRET}",
    f"prod: {DEV_SECRET}",
    f"prod:{DEV_SECRET[:20]} {DEV_SECRET[20:]}",
    f"prod:{DEV_SECRET[:20]}\n{DEV_SECRET[20:]}",
    f"new:{fresh_key()},prod:{DEV_SECRET[:12]}\t{DEV_SECRET[12:]}",
])
def test_the_development_signing_key_is_refused_however_written(jwt_keys):
    with pytest.raises(UnsafeConfiguration, match="BILIN_JWT_KEYS"):
        production(jwt_keys=jwt_keys).check()


@pytest.mark.parametrize("data_key", [
    DEV_DATA_KEY, f" {DEV_DATA_KEY}", f"{DEV_DATA_KEY}\n", f"{DEV_DATA_KEY[:10]} {DEV_DATA_KEY[10:]}",
])
def test_the_development_data_key_is_refused_however_written(data_key):
    with pytest.raises(UnsafeConfiguration, match="BILIN_DATA_KEY"):
        production(data_key=data_key).check()


async def _add_demo_client(url: str, client_id: str) -> None:
    conn = await asyncpg.connect(url)
    await init_connection(conn)
    try:
        await create_platform_client(conn, street_name="菊园新区", name="demo", client_id=client_id,
                                     secret=DEMO_SECRET)
    finally:
        await conn.close()


async def test_demo_secrets_get_no_token_and_production_refuses_to_start_with_them(
        postgres_url, test_settings, worker_id, caplog):
    async with scratch_database(postgres_url, f"bilin_scratch_demo_{worker_id}") as url:
        settings = production_settings(test_settings, database_url=url)
        # Started before the demo data arrived: the token endpoint refuses the secret itself.
        async with AsyncTestClient(app=create_app(settings), base_url="http://bilin.test") as client:
            await _add_demo_client(url, "cli_demo_juyuan")
            response = await client.post("/v1/auth/token", json={
                "grant_type": "client_credentials", "client_id": "cli_demo_juyuan", "client_secret": DEMO_SECRET})
            assert response.status_code == 401 and response.json()["code"] == "invalid_client"
        with pytest.raises(BaseException) as refused:  # the test client wraps it in a group
            async with AsyncTestClient(app=create_app(settings), base_url="http://bilin.test"):
                pass
        assert refused.group_contains(UnsafeConfiguration, match="cli_demo_juyuan", depth=None)
        # Outside production the demo keeps working.
        async with AsyncTestClient(app=create_app(dataclasses.replace(test_settings, database_url=url)), base_url="http://bilin.test") as client:
            response = await client.post("/v1/auth/token", json={
                "grant_type": "client_credentials", "client_id": "cli_demo_juyuan", "client_secret": DEMO_SECRET})
            assert response.status_code == 200, response.text


@pytest.mark.parametrize("entries", [("*",), ("127.0.0.1/8",), ("proxy.internal",)])
def test_trusted_proxies_must_be_addresses_or_networks(entries):
    with pytest.raises(UnsafeConfiguration, match="BILIN_TRUSTED_PROXIES"):
        production(trusted_proxies=entries).check()
    production(trusted_proxies=("10.0.0.0/8", "::1", "172.30.0.7")).check()


@pytest.mark.parametrize("name", ["db_connect_timeout", "db_command_timeout", "db_acquire_timeout"])
def test_database_timeouts_are_bounded(name):
    for seconds in (0, -1, 61):
        with pytest.raises(UnsafeConfiguration, match="TIMEOUT"):
            production(**{name: seconds}).check()


def test_the_new_values_come_from_the_environment():
    from service.settings import load_settings

    loaded = load_settings({"BILIN_TRUSTED_PROXIES": "10.0.0.0/8, 172.30.0.0/24", "BILIN_DB_CONNECT_TIMEOUT": "1.5",
                            "BILIN_DB_COMMAND_TIMEOUT": "4", "BILIN_DB_ACQUIRE_TIMEOUT": "0.5"})
    assert loaded.trusted_proxies == ("10.0.0.0/8", "172.30.0.0/24")
    assert (loaded.db_connect_timeout, loaded.db_command_timeout, loaded.db_acquire_timeout) == (1.5, 4.0, 0.5)
    assert load_settings({}).trusted_proxies == ()
