"""WECHAT_API_BASE: any http(s) URL outside production (the stand-in), https only in it."""

from __future__ import annotations

import pytest

from service.settings import Settings, UnsafeConfiguration, load_settings

PRODUCTION = {
    "BILIN_ENV": "production", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x",
    "BILIN_JWT_KEYS": "k1:" + "cHJvZHVjdGlvbi1rZXktcHJvZHVjdGlvbi1rZXktMDE=",
    "BILIN_DATA_KEY": "cHJvZHVjdGlvbi1kYXRhLWtleS0wMDAwMDAwMDAwMDA=",
}


def test_production_talks_to_wechat_over_https_only():
    settings = load_settings(PRODUCTION)
    assert settings.wechat_api_base == "https://api.weixin.qq.com" and settings.wechat_timeout == 3
    settings.check()
    with pytest.raises(UnsafeConfiguration, match="WECHAT_API_BASE"):
        load_settings({**PRODUCTION, "WECHAT_API_BASE": "http://127.0.0.1:9000"}).check()


def test_outside_production_the_stand_in_is_fine_but_not_nonsense():
    load_settings({"BILIN_ENV": "development", "WECHAT_API_BASE": "http://127.0.0.1:9000",
                   "BILIN_WECHAT_TIMEOUT": "0.5"}).check()
    for wrong in ({"wechat_api_base": "ftp://x"}, {"wechat_timeout": 0.0}, {"wechat_timeout": 120.0}):
        with pytest.raises(UnsafeConfiguration):
            Settings(environment="development", **wrong).check()
