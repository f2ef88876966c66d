"""The token endpoint and access tokens under hostile input: refresh with the client's id
(RFC 6749 §6), malformed HTTP Basic, validly signed tokens with ill-typed claims or a lifetime
beyond the configured maximum."""

from __future__ import annotations

import base64
import time
from urllib.parse import urlencode

import jwt
import pytest

from api.auth.tokens import AUDIENCE, ISSUER
from service.settings import DEV_JWT_KEYS
from tests.support.wechat import register_miniprogram, sign_in_resident

DEV_KID, DEV_SECRET = DEV_JWT_KEYS.split(":")
KEY = base64.b64decode(DEV_SECRET)


async def test_refresh_accepts_the_clients_own_id_in_json_and_form(client, platform):
    app = await register_miniprogram(client, platform)
    resident = await sign_in_resident(client, app)
    as_json = await client.post("/v1/auth/token", json={
        "grant_type": "refresh_token", "refresh_token": resident.refresh_token, "client_id": app.client_id})
    assert as_json.status_code == 200, as_json.text
    as_form = await client.post("/v1/auth/token", content=urlencode({
        "grant_type": "refresh_token", "refresh_token": as_json.json()["refresh_token"],
        "client_id": app.client_id}).encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert as_form.status_code == 200, as_form.text
    assert as_form.json()["refresh_token"] != as_json.json()["refresh_token"]


async def test_refresh_by_another_client_is_invalid_grant_and_leaves_the_token_usable(client, platform):
    app, other = await register_miniprogram(client, platform), await register_miniprogram(client, platform)
    resident = await sign_in_resident(client, app)
    for wrong in (other.client_id, "cli_nobody"):
        refused = await client.post("/v1/auth/token", json={
            "grant_type": "refresh_token", "refresh_token": resident.refresh_token, "client_id": wrong})
        assert refused.status_code == 400 and refused.json()["code"] == "invalid_grant", refused.text
    still = await client.post("/v1/auth/token", json={
        "grant_type": "refresh_token", "refresh_token": resident.refresh_token, "client_id": app.client_id})
    assert still.status_code == 200, still.text


@pytest.mark.parametrize("credentials", [
    "%%%not-base64%%%",
    base64.b64encode(b"no-colon-here").decode(),
    base64.b64encode(b"\xff\xfe:\xfa").decode(),
    "密码",
    base64.b64encode(b"cli_x:%ZZ%").decode() + "==",
    "",
    base64.b64encode(b"cli%00x:secret").decode(),
])
async def test_malformed_basic_is_invalid_client(client, credentials):
    response = await client.post("/v1/auth/token", content=b"grant_type=client_credentials",
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "Authorization": b"Basic " + credentials.encode()})
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


def signed(platform, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 600, "sub": platform.client_id,
              "kind": "platform", "cid": platform.client_id, "sid": platform.street_id,
              "scope": "street:read street:write", **overrides}
    return jwt.encode(claims, KEY, algorithm="HS256", headers={"kid": DEV_KID})


@pytest.mark.parametrize("overrides", [
    {"cid": ["cli_a", "cli_b"]},
    {"sid": {"id": "x"}},
    {"sub": 12},
    {"kind": "admin"},
    {"kind": ["platform"]},
    {"scope": ["street:read"]},
    {"kind": "person", "sub": None},
    {"iat": "yesterday"},
])
async def test_ill_typed_claims_are_401(client, platform, overrides):
    response = await client.get("/v1/communities", headers={"Authorization": f"Bearer {signed(platform, **overrides)}"})
    assert response.status_code == 401, (overrides, response.text)
    assert response.json()["code"] == "invalid_token"


async def test_a_token_living_longer_than_the_maximum_is_401(client, platform, test_settings):
    now = int(time.time())
    too_long = signed(platform, iat=now, exp=now + test_settings.access_token_ttl + 3600)
    response = await client.get("/v1/communities", headers={"Authorization": f"Bearer {too_long}"})
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
    backdated = signed(platform, iat=now - 86_400 * 365, exp=now + 60)
    assert (await client.get("/v1/communities", headers={"Authorization": f"Bearer {backdated}"})).status_code == 401
    fine = signed(platform, iat=now, exp=now + test_settings.access_token_ttl)
    assert (await client.get("/v1/communities", headers={"Authorization": f"Bearer {fine}"})).status_code == 200
