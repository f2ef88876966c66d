"""/metrics: public outside production, behind a bearer token from BILIN_METRICS_TOKEN in
production (off without one), and counted by the rate limiter like any anonymous request."""

from __future__ import annotations

import pytest

from service.settings import Settings, UnsafeConfiguration
from tests.support.production import production_client

TOKEN = "m3tr1cs-" + "x" * 40


async def test_metrics_are_rate_limited_like_any_anonymous_request(client):
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert "anonymous" in response.headers["ratelimit-policy"]


async def test_production_without_a_token_serves_no_metrics(test_settings):
    async with production_client(test_settings) as production:
        client = production.client
        response = await client.get("/metrics")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert "bilin_http_requests_total" not in response.text


async def test_production_metrics_need_the_token(test_settings):
    async with production_client(test_settings, metrics_token=TOKEN) as production:
        client = production.client
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                        {"Authorization": f"Bearer {TOKEN}x"}):
            refused = await client.get("/metrics", headers=headers)
            assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated", headers
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert "bilin_http_requests_total" not in refused.text
        served = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert served.status_code == 200 and "bilin_http_requests_total" in served.text


def test_production_refuses_a_short_metrics_token(test_settings):
    from tests.support.production import production_settings

    with pytest.raises(UnsafeConfiguration, match="BILIN_METRICS_TOKEN"):
        production_settings(test_settings, metrics_token="short",
                            wechat_api_base="https://api.weixin.qq.com").check()


def test_the_token_comes_from_the_environment():
    from service.settings import load_settings

    assert load_settings({"BILIN_METRICS_TOKEN": TOKEN}).metrics_token == TOKEN
    assert Settings().metrics_token is None
