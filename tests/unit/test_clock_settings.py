"""The settings around the test clock and the worker: production never runs with the test
clock on, and refuses worker settings that would lose events or call anywhere. Pure: no
server, no database."""

from __future__ import annotations

import pytest

from service.settings import Settings, UnsafeConfiguration, load_settings


def test_production_refuses_to_start_with_the_test_clock_on():
    env = {"BILIN_ENV": "production", "DATABASE_URL": "postgresql://db/bilin", "REDIS_URL": "redis://r",
           "BILIN_JWT_KEYS": "k1:cHJvZHVjdGlvbi1rZXktcHJvZHVjdGlvbi1rZXktMDE=",
           "BILIN_DATA_KEY": "cHJvZHVjdGlvbi1kYXRhLWtleS0wMDAwMDAwMDAwMDA="}
    assert not load_settings(env).test_clock_enabled
    load_settings(env).check()
    with pytest.raises(UnsafeConfiguration, match="BILIN_TEST_CLOCK"):
        load_settings({**env, "BILIN_TEST_CLOCK": "on"}).check()
    assert Settings(environment="test").test_clock_enabled
    assert not load_settings({"BILIN_ENV": "test", "BILIN_TEST_CLOCK": "off"}).test_clock_enabled


@pytest.mark.parametrize(("name", "value"), [("BILIN_EVENT_RETENTION_DAYS", "29"),
                                             ("BILIN_WEBHOOK_ALLOWLIST", "10.0.0.0/8,not a host"),
                                             ("BILIN_WORKER_CONCURRENCY", "0")])
def test_unsafe_worker_settings_are_refused(name, value):
    with pytest.raises(UnsafeConfiguration, match=name):
        load_settings({name: value}).check()
