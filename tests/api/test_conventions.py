"""Request ids, method override, CORS, probes, metrics and the served contract."""

from __future__ import annotations

from pathlib import Path

import yaml
from litestar.testing import AsyncTestClient

from api.app import create_app

CONTRACT_FILE = Path(__file__).resolve().parents[2] / "schema" / "openapi.yaml"


async def test_request_id_is_echoed_when_sane_and_generated_otherwise(client, platform):
    echoed = await client.get("/v1/communities", headers=platform.headers(**{"X-Request-Id": "abc-123"}))
    assert echoed.headers["x-request-id"] == "abc-123"
    insane = await client.get("/v1/communities", headers=platform.headers(**{"X-Request-Id": "a b\"<>" * 40}))
    assert insane.headers["x-request-id"].startswith("req_")
    generated = await client.get("/v1/communities", headers=platform.headers())
    assert generated.headers["x-request-id"] != insane.headers["x-request-id"]


async def test_post_with_method_override_acts_as_patch(client, platform):
    created = (await client.post("/v1/communities", headers=platform.headers(), json={"name": "甲"})).json()
    overridden = await client.post(f"/v1/communities/{created['id']}", json={"name": "乙"},
                                   headers=platform.headers(**{"X-HTTP-Method-Override": "PATCH"}))
    assert overridden.status_code == 200
    assert overridden.json()["name"] == "乙"
    ignored = await client.post(f"/v1/communities/{created['id']}", json={"name": "丙"},
                                headers=platform.headers(**{"X-HTTP-Method-Override": "TRACE"}))
    assert ignored.status_code == 405  # not an override we honour: stays a POST, which this path lacks


async def test_cors_only_for_configured_origins(test_settings):
    settings = test_settings.__class__(**{**test_settings.__dict__, "cors_origins": ("https://h5.example.cn",)})
    async with AsyncTestClient(app=create_app(settings), base_url="http://bilin.test") as cors_client:
        preflight = await cors_client.options("/v1/communities", headers={
            "Origin": "https://h5.example.cn", "Access-Control-Request-Method": "POST"})
        assert preflight.headers.get("access-control-allow-origin") == "https://h5.example.cn"
        stranger = await cors_client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in stranger.headers


async def test_no_cors_by_default(client):
    response = await client.get("/healthz", headers={"Origin": "https://h5.example.cn"})
    assert "access-control-allow-origin" not in response.headers


async def test_probes_and_metrics(client, platform):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": "ok", "redis": "ok"}
    await client.get("/v1/communities", headers=platform.headers())
    metrics = (await client.get("/metrics")).text
    assert 'bilin_http_requests_total{method="GET",route="/v1/communities",status="200"}' in metrics
    assert "bilin_http_request_duration_seconds_bucket" in metrics
    assert "bilin_db_pool_connections" in metrics


async def test_the_contract_is_served(client):
    as_json = (await client.get("/schema/openapi.json")).json()
    as_yaml = yaml.safe_load((await client.get("/schema/openapi.yaml")).text)
    assert as_json["openapi"].startswith("3.1")
    assert as_yaml == as_json  # one document in two encodings, every value alike
    assert as_json == yaml.safe_load(CONTRACT_FILE.read_text())  # and it is the published contract
    page = await client.get("/docs")  # the page itself: tests/api/test_docs_page.py
    assert page.status_code == 200 and "docs/assets/docs-init.js" in page.text


async def test_options_lists_every_method_of_a_path(client):
    collection = await client.options("/v1/communities")
    assert collection.status_code == 204
    assert collection.headers["allow"] == "GET, OPTIONS, POST"
    single = await client.options("/v1/communities/com_0000000000000000")
    assert single.headers["allow"] == "GET, OPTIONS, PATCH"
    assert (await client.options("/v1/nowhere")).status_code == 404


async def test_nul_in_the_query_names_the_problem(client, platform):
    response = await client.get("/v1/communities?external_id=%00", headers=platform.headers())
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "nul_character"
