"""Pure parts of the conventions: language negotiation, cursors, ids, settings."""

from __future__ import annotations

from datetime import UTC, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.conventions.i18n import negotiate
from api.conventions.paging import _decode_cursor, _encode_cursor
from api.conventions.problems import ProblemError
from service.settings import Settings, UnsafeConfiguration, load_settings
from domain.ids import PREFIXES, looks_like, new_id


@pytest.mark.parametrize("header, expected", [
    (None, "zh-CN"), ("", "zh-CN"), ("en", "en"), ("en-GB,en;q=0.8", "en"), ("zh-CN,en;q=0.5", "zh-CN"),
    ("fr, en;q=0.3", "en"), ("fr", "zh-CN"), ("en;q=0.2, zh;q=0.9", "zh-CN"), ("en;q=0", "zh-CN"),
    ("*", "zh-CN"), ("en;q=abc", "zh-CN"),
])
def test_language_negotiation(header, expected):
    assert negotiate(header) == expected


@given(st.datetimes(timezones=st.just(UTC)), st.text(min_size=1, max_size=40))
def test_cursors_round_trip(stamp, last_id):
    cursor = _encode_cursor("created_desc", (stamp, last_id))
    assert _decode_cursor(cursor, "created_desc") == (stamp, last_id)
    with pytest.raises(ProblemError):
        _decode_cursor(cursor, "updated_asc")


@given(st.text(max_size=60))
def test_any_garbage_cursor_is_a_clean_problem(garbage):
    try:
        _decode_cursor(garbage, "created_desc")
    except ProblemError as problem:
        assert problem.code == "invalid_cursor"


def test_ids_are_typed_random_and_recognisable():
    ids = {new_id("building") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(looks_like("building", i) for i in ids)
    assert not looks_like("community", next(iter(ids)))
    assert set(PREFIXES) >= {"street", "community", "building", "household"}


def test_production_refuses_unsafe_configuration():
    with pytest.raises(UnsafeConfiguration) as refused:
        Settings(environment="production", database_url="postgresql://x/y", redis_url="redis://x").check()
    assert "BILIN_JWT_KEYS" in str(refused.value) and "BILIN_DATA_KEY" in str(refused.value)
    safe = load_settings({
        "BILIN_ENV": "production", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x",
        "BILIN_JWT_KEYS": "k1:" + "cHJvZHVjdGlvbi1rZXktcHJvZHVjdGlvbi1rZXktMDE=",
        "BILIN_DATA_KEY": "cHJvZHVjdGlvbi1kYXRhLWtleS0wMDAwMDAwMDAwMDA=",
    })
    safe.check()
    with pytest.raises(UnsafeConfiguration):
        Settings(**{**safe.__dict__, "debug": True}).check()


def test_settings_parse_rate_limits_and_origins():
    settings = load_settings({"BILIN_RATE_LIMIT_CLIENT": "50/10", "BILIN_CORS_ORIGINS": "https://a.cn, https://b.cn"})
    assert (settings.rate_limit_client.quota, settings.rate_limit_client.window_seconds) == (50, 10)
    assert settings.cors_origins == ("https://a.cn", "https://b.cn")
