"""Pure parts of the conventions: language negotiation, cursors, ids, settings."""

from __future__ import annotations

import base64
from datetime import UTC

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.conventions.i18n import negotiate
from api.conventions.paging import _decode_cursor, _encode_cursor
from api.conventions.problems import ProblemError
from domain.ids import PREFIXES, looks_like, new_id
from service.settings import Settings, UnsafeConfiguration, load_settings


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
    with pytest.raises(ProblemError) as refused:
        _decode_cursor(garbage, "created_desc")
    assert refused.value.code == "invalid_cursor"


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                     max_leaves=8)


@given(_JSON)
def test_a_well_encoded_cursor_of_the_wrong_shape_is_a_clean_problem(value):
    """Base64 of JSON that is not (order, RFC 3339 time with its zone, id): refused, never a 500."""
    cursor = base64.urlsafe_b64encode(msgspec.json.encode(value)).decode().rstrip("=")
    with pytest.raises(ProblemError) as refused:
        _decode_cursor(cursor, "created_desc")
    assert refused.value.code == "invalid_cursor"


def test_a_cursor_without_a_time_zone_is_refused():
    naive = base64.urlsafe_b64encode(msgspec.json.encode(["created_desc", "2026-11-22T08:00:00", "x"])).decode()
    with pytest.raises(ProblemError):
        _decode_cursor(naive, "created_desc")


def test_ids_are_random():
    assert len({new_id("building") for _ in range(1000)}) == 1000


def _looks_like_model(kind: str, value: str) -> bool:
    """The id rule spelled out: the kind's prefix, "_", then 16 lower-case Crockford base32
    characters."""
    prefix, _, rest = value.partition("_")
    return prefix == PREFIXES[kind] and len(rest) == 16 and all(c in "0123456789abcdefghjkmnpqrstvwxyz" for c in rest)


@given(st.sampled_from(sorted(PREFIXES)), st.sampled_from(sorted(PREFIXES)))
def test_an_id_is_recognised_as_its_own_kind_only(kind, other):
    made = new_id(kind)
    assert looks_like(kind, made) and _looks_like_model(kind, made)
    assert looks_like(other, made) == (PREFIXES[other] == PREFIXES[kind])


@given(st.sampled_from(sorted(PREFIXES)), st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyzABC_-", max_size=24))
def test_looks_like_agrees_with_the_rule(kind, tail):
    for value in (tail, f"{PREFIXES[kind]}_{tail}"):
        assert looks_like(kind, value) == _looks_like_model(kind, value), value


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
