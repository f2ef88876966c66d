"""Text on the wire is UTF-8: a body, query string, path segment or header value that is not
(overlong forms, CESU-8 surrogates, stray bytes, another declared charset) is a clear 400/415
problem on every route, never a 500."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"
# Inside a JSON string, so that only the UTF-8 layer can object: a stray byte, an overlong
# "/" (C0 AF), a CESU-8 surrogate half (ED A0 80), a truncated sequence (E6 A5).
BAD_TEXT = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe6\xa5"]
# (path, needs a token, extra headers): a plain POST, a keyed POST, the token endpoint, a PATCH.
ROUTES = [
    ("POST", "/v1/communities", True, {}),
    ("POST", "/v1/communities", True, {"Idempotency-Key": "utf8-test-key"}),
    ("POST", "/v1/auth/token", False, {}),
    ("PATCH", "/v1/communities/00000000-0000-0000-0000-000000000000", True, {}),
]


def _headers(platform, needs_token: bool, extra: dict[str, str], **more: str) -> dict[str, str]:
    headers = {**extra, **more}
    return platform.headers(**headers) if needs_token else headers


@pytest.mark.parametrize("bad", BAD_TEXT)
@pytest.mark.parametrize(("method", "path", "needs_token", "extra"), ROUTES)
async def test_invalid_utf8_in_a_json_body_is_400(client, platform, method, path, needs_token, extra, bad):
    body = b'{"name": "a' + bad + b'b", "grant_type": "client_credentials"}'
    headers = _headers(platform, needs_token, extra, **{"Content-Type": "application/json"})
    if "Idempotency-Key" in headers:
        headers["Idempotency-Key"] += bad.hex()
    response = await client.request(method, path, headers=headers, content=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "malformed_body"
    assert response.json()["errors"][0] == {**response.json()["errors"][0], "field": "body", "code": "invalid_utf8"}


@pytest.mark.parametrize("charset", ["latin-1", "GBK", "utf-16"])
@pytest.mark.parametrize(("method", "path", "needs_token", "extra"), ROUTES)
async def test_a_charset_other_than_utf8_is_415(client, platform, method, path, needs_token, extra, charset):
    headers = _headers(platform, needs_token, extra, **{"Content-Type": f"application/json; charset={charset}"})
    response = await client.request(method, path, headers=headers, content=b'{"name": "x"}')
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "unsupported_media_type"


async def test_utf8_charset_is_accepted_in_any_spelling(client, platform):
    for content_type in ("application/json; charset=utf-8", 'application/json;charset="UTF-8"'):
        response = await client.post("/v1/communities", headers=platform.headers(**{"Content-Type": content_type}),
                                     content='{"name": "楼组"}'.encode())
        assert response.status_code == 201, response.text


async def test_invalid_utf8_in_a_form_body_is_400(client):
    response = await client.post(
        "/v1/auth/token", content=b"grant_type=client_credentials&client_id=a%C0%AFb&client_secret=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "malformed_body"


@pytest.mark.parametrize("bad", ["%FF", "%C0%AF", "%ED%A0%80", "%E6%A5"])
@pytest.mark.parametrize("path", ["/v1/communities", "/v1/auth/token", "/healthz"])
async def test_invalid_utf8_in_a_query_string_is_400(client, platform, path, bad):
    response = await client.get(f"{path}?external_id=a{bad}b", headers=platform.headers())
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "malformed_body"
    assert body["errors"][0]["field"] == "query.external_id" and body["errors"][0]["code"] == "invalid_utf8"


@pytest.mark.parametrize("bad", ["%FF", "%C0%AF", "%ED%A0%80"])
@pytest.mark.parametrize("prefix", ["/v1/communities/", "/problems/", "/v1/nowhere/"])
async def test_invalid_utf8_in_a_path_segment_is_400(client, platform, prefix, bad):
    response = await client.get(f"{prefix}a{bad}b", headers=platform.headers())
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == "path"


# Header values with bytes that are not UTF-8: tests/api/test_wire.py (the test client re-encodes them).


async def test_valid_utf8_everywhere_is_untouched(client, platform):
    headers = {**platform.headers(), "X-Note": "楼".encode()}
    response = await client.get("/v1/communities?external_id=%E6%A5%BC", headers=headers)
    assert response.status_code == 200, response.text
    unknown = await client.get("/v1/communities/%E6%A5%BC", headers=platform.headers())
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found", unknown.text
