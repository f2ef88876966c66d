"""RFC 9457 problem details in both languages, and bad input that must be a clear 4xx."""

from __future__ import annotations

import json

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"/problems/{code}"
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["title"] and body["detail"] and body["instance"]
    return body


async def test_validation_errors_in_chinese_by_default_and_english_on_request(client, platform):
    zh = assert_problem(await client.post("/v1/communities", headers=platform.headers(), json={"name": 5}),
                        400, "validation_failed")
    en = assert_problem(await client.post("/v1/communities", headers=platform.headers(**{"Accept-Language": "en-US,en;q=0.9"}),
                                          json={"name": 5}), 400, "validation_failed")
    assert zh["title"] == "请求参数不符合要求"
    assert en["title"] == "The request did not validate"
    assert zh["errors"] == [{"field": "body.name", "message": zh["errors"][0]["message"], "code": "wrong_type"}]
    assert en["errors"][0]["field"] == "body.name"
    assert en["errors"][0]["message"] != zh["errors"][0]["message"]
    preferred = assert_problem(await client.get("/v1/nowhere", headers={"Accept-Language": "fr, en;q=0.5, zh;q=0.9"}),
                               404, "not_found")
    assert preferred["title"] == "资源不存在"


async def test_missing_and_unknown_fields_are_named(client, platform):
    missing = assert_problem(await client.post("/v1/communities", headers=platform.headers(), json={}),
                             400, "validation_failed")
    assert missing["errors"][0]["field"] == "body.name" and missing["errors"][0]["code"] == "required"
    unknown = assert_problem(await client.post("/v1/communities", headers=platform.headers(),
                                               json={"name": "x", "nmae": "y"}), 400, "validation_failed")
    assert unknown["errors"][0]["code"] == "unknown_field"
    assert unknown["errors"][0]["field"] == "body.nmae"


async def test_unparseable_bodies(client, platform):
    headers = platform.headers(**{"Content-Type": "application/json"})
    for body in (b"{", b"\xff\xfe\x00", b"[" * 5000 + b"]" * 5000, b'{"name": "a"} trailing'):
        response = await client.post("/v1/communities", headers=headers, content=body)
        assert response.status_code == 400, (body[:10], response.text)
        assert response.headers["content-type"] == PROBLEM


async def test_wrong_content_type_is_415_and_huge_body_is_413(client, platform):
    assert_problem(await client.post("/v1/communities", headers=platform.headers(**{"Content-Type": "text/plain"}),
                                     content=b'{"name": "x"}'), 415, "unsupported_media_type")
    huge = json.dumps({"name": "x" * 2_000_000}).encode()
    assert_problem(await client.post("/v1/communities", headers=platform.headers(**{"Content-Type": "application/json"}),
                                     content=huge), 413, "payload_too_large")


async def test_text_round_trips_exactly_and_nul_is_refused(client, platform):
    tricky = "楼\u200b组 🏠 <script>alert(1)</script> '; DROP TABLE communities; --"
    created = await client.post("/v1/communities", headers=platform.headers(), json={"name": tricky})
    assert created.status_code == 201
    assert "\\u" not in created.text  # no escaping needed by clients
    read = await client.get(f"/v1/communities/{created.json()['id']}", headers=platform.headers())
    assert read.json()["name"] == tricky
    assert_problem(await client.post("/v1/communities", headers=platform.headers(), json={"name": "a\u0000b"}),
                   400, "validation_failed")
    assert_problem(await client.get("/v1/communities?external_id=a%00b", headers=platform.headers()),
                   400, "validation_failed")


async def test_unknown_route_and_method(client, platform):
    assert_problem(await client.get("/v1/does-not-exist", headers=platform.headers()), 404, "not_found")
    assert_problem(await client.delete("/v1/communities", headers=platform.headers()), 405, "method_not_allowed")


async def test_problem_types_are_described(client):
    described = await client.get("/problems/precondition_failed")
    assert described.status_code == 200
    assert described.json()["status"] == 412
    assert (await client.get("/problems/no_such_problem")).status_code == 404


async def test_internal_errors_reveal_nothing(client, platform, monkeypatch):
    from usecases import places

    async def explode(*args, **kwargs):
        raise RuntimeError("relation secret_table does not exist at /srv/app.py line 3")

    monkeypatch.setattr(places, "list_communities", explode)
    body = assert_problem(await client.get("/v1/communities", headers=platform.headers()), 500, "internal_error")
    assert "secret_table" not in json.dumps(body) and "app.py" not in json.dumps(body)


async def test_nul_is_refused_in_every_string_field(client, platform):
    for path, body in (("/v1/streets/roles", '{"person_id": "\\u0000"}'),
                       ("/v1/communities", '{"name": "ok", "external_id": "a\\u0000"}')):
        response = await client.post(path, headers=platform.headers(**{"Content-Type": "application/json"}),
                                     content=body.encode())
        assert_problem(response, 400, "validation_failed")
    form = await client.post("/v1/auth/token", content=b"grant_type=client_credentials&client_id=a%00b&client_secret=x",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400
    escaped = await client.post("/v1/communities", headers=platform.headers(**{"Content-Type": "application/json"}),
                                content=b'{"name": "a\\\\u0000b"}')
    assert escaped.status_code == 201 and escaped.json()["name"] == "a\\u0000b"
