"""Platform tokens: the token endpoint in both encodings, and every way a token is refused."""

from __future__ import annotations

import base64
import time

import jwt
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.auth.tokens import AUDIENCE, ISSUER
from service.settings import DEV_JWT_KEYS

DEV_KID, DEV_SECRET = DEV_JWT_KEYS.split(":")


async def test_json_token_request(client, platform):
    response = await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": platform.client_id, "client_secret": platform.secret})
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 900
    assert set(body["scope"].split()) == platform.scopes
    assert response.headers["cache-control"] == "no-store"
    header = jwt.get_unverified_header(body["access_token"])
    assert header["kid"] == DEV_KID and header["alg"] == "HS256"


async def test_oauth_form_with_http_basic(client, platform):
    basic = base64.b64encode(f"{platform.client_id}:{platform.secret}".encode()).decode()
    response = await client.post("/v1/auth/token", content=b"grant_type=client_credentials&scope=street%3Aread",
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "Authorization": f"Basic {basic}"})
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "street:read"
    token = response.json()["access_token"]
    write = await client.post("/v1/communities", headers={"Authorization": f"Bearer {token}"}, json={"name": "x"})
    assert write.status_code == 403 and write.json()["code"] == "insufficient_scope"


async def test_the_oauth_form_ignores_parameters_it_does_not_know_and_json_does_not(client, platform):
    # RFC 6749 §3.2: unrecognised request parameters MUST be ignored (the form of OAuth clients).
    form = (f"grant_type=client_credentials&client_id={platform.client_id}&client_secret={platform.secret}"
            "&code=0a3Xyz&refresh_token=rt_x&audience=bilin").encode()
    answer = await client.post("/v1/auth/token", content=form,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200, answer.text
    strict = await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": platform.client_id, "client_secret": platform.secret,
        "code": "0a3Xyz"})
    assert strict.status_code == 400 and strict.json()["errors"][0]["field"] == "body.code"


async def test_bad_credentials_and_grants(client, platform):
    wrong = await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": platform.client_id, "client_secret": "sk_wrong"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_client"
    unknown = await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": "cli_nobody", "client_secret": platform.secret})
    assert unknown.status_code == 401 and unknown.json()["code"] == "invalid_client"
    grant = await client.post("/v1/auth/token", json={"grant_type": "password"})
    assert grant.status_code == 400
    too_wide = await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": platform.client_id, "client_secret": platform.secret,
        "scope": "street:read admin"})
    assert too_wide.status_code == 400 and too_wide.json()["code"] == "invalid_scope"


def forge(platform, *, key: bytes, kid: str, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 600, "sub": platform.client_id,
              "kind": "platform", "cid": platform.client_id, "sid": platform.street_id,
              "scope": "street:read street:write", **overrides}
    return jwt.encode(claims, key, algorithm="HS256", headers={"kid": kid})


async def test_refused_tokens_are_401_and_never_data(client, platform):
    key = base64.b64decode(DEV_SECRET)
    cases = {
        "missing": None,
        "expired": forge(platform, key=key, kid=DEV_KID, exp=int(time.time()) - 5, iat=int(time.time()) - 900),
        "tampered": platform.token[:-4] + ("AAAA" if not platform.token.endswith("AAAA") else "BBBB"),
        "wrong kid": forge(platform, key=key, kid="retired-2020"),
        "wrong key": forge(platform, key=b"k" * 32, kid=DEV_KID),
        "garbage": "not.a.jwt",
    }
    for name, token in cases.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.get("/v1/communities", headers=headers)
        assert response.status_code == 401, name
        assert "data" not in response.json()
        assert response.headers["www-authenticate"].startswith("Bearer")
        expected = {"missing": "unauthenticated", "expired": "token_expired"}.get(name, "invalid_token")
        assert response.json()["code"] == expected, name


async def test_keys_rotate_old_tokens_verify_new_ones_sign(test_settings, platform):
    new_key = base64.b64encode(b"n" * 32).decode()
    rotated = create_app(test_settings.__class__(**{**test_settings.__dict__,
                                                    "jwt_keys": f"new-2027:{new_key},{DEV_JWT_KEYS}"}))
    async with AsyncTestClient(app=rotated, base_url="http://bilin.test") as rotated_client:
        old_token_still_works = await rotated_client.get("/v1/communities", headers=platform.headers())
        assert old_token_still_works.status_code == 200
        issued = await rotated_client.post("/v1/auth/token", json={
            "grant_type": "client_credentials", "client_id": platform.client_id, "client_secret": platform.secret})
        assert jwt.get_unverified_header(issued.json()["access_token"])["kid"] == "new-2027"
