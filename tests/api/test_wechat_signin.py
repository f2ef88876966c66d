"""Residents sign in with WeChat (grant_type=wechat_code) through the stand-in, a real HTTP
server speaking WeChat's protocol; refresh tokens rotate and a reused one revokes its family."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import jwt
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from devservices import free_port
from tests.support.platform import new_street_client
from tests.support.server import running_service
from tests.support.wechat import (
    new_appid,
    person_of,
    refresh,
    register_miniprogram,
    sign_in_resident,
    unique_code,
    wechat_token,
)


async def test_sign_in_creates_a_person_and_the_same_identity_signs_in_as_them_again(client, db, platform, wechat):
    app = await register_miniprogram(client, platform)
    code = unique_code()
    first = await wechat_token(client, app.client_id, code)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 900 and body["scope"] == ""
    assert body["refresh_token"].startswith("rt_") and first.headers["cache-control"] == "no-store"
    person_id = person_of(body["access_token"])
    identity = await db.fetchrow("SELECT person_id, unionid FROM wechat_identities WHERE appid = $1 AND openid = $2",
                                 app.appid, f"openid-{code}")
    assert identity["person_id"] == person_id and identity["unionid"] is None

    again = await wechat_token(client, app.client_id, code)
    assert person_of(again.json()["access_token"]) == person_id
    assert await db.fetchval("SELECT count(*) FROM wechat_identities WHERE person_id = $1", person_id) == 1

    # The app secret went to WeChat, and nowhere else.
    exchanges = wechat.requests("/sns/jscode2session", appid=app.appid)
    assert [r.query["js_code"] for r in exchanges] == [code, code]
    assert all(r.query["secret"] == app.secret for r in exchanges)
    for response in (first, again):
        assert app.secret not in response.text
        assert not any(key in response.text for key in wechat.session_keys)


async def test_the_token_is_for_the_clients_street(client, platform, other_platform, wechat):
    here, there = await register_miniprogram(client, platform), await register_miniprogram(client, other_platform)
    code = unique_code()
    resident_here = await sign_in_resident(client, here, code)
    resident_there = await sign_in_resident(client, there, code)
    claims = [jwt.decode(r.access_token, options={"verify_signature": False}) for r in (resident_here, resident_there)]
    assert [c["sid"] for c in claims] == [platform.street_id, other_platform.street_id]
    # Without a unionid, openids are per app: the same code in two apps is two people.
    assert resident_here.person_id != resident_there.person_id


async def test_unionid_links_two_apps_identities_to_one_person(client, db, platform, other_platform, wechat):
    first_app, second_app = await register_miniprogram(client, platform), await register_miniprogram(client, other_platform)
    code = unique_code("u-")
    one = await sign_in_resident(client, first_app, code)
    two = await sign_in_resident(client, second_app, code)
    assert one.person_id == two.person_id
    rows = await db.fetch("SELECT appid, unionid FROM wechat_identities WHERE person_id = $1 ORDER BY appid",
                          one.person_id)
    assert sorted(r["appid"] for r in rows) == sorted([first_app.appid, second_app.appid])
    assert {r["unionid"] for r in rows} == {f"unionid-{code}"}


@pytest.mark.parametrize(("code", "status", "problem", "retry_after"), [
    ("invalid", 400, "wechat_code_invalid", None),
    ("used", 400, "wechat_code_invalid", None),
    ("blocked", 403, "wechat_user_blocked", None),
    ("busy", 503, "wechat_rate_limited", "60"),
    ("system", 503, "wechat_unavailable", "5"),
    ("slow", 503, "wechat_unavailable", "5"),  # the stand-in answers after the API's timeout
])
async def test_wechat_failures_are_problems_never_500(client, db, platform, wechat, code, status, problem,
                                                      retry_after):
    app = await register_miniprogram(client, platform)
    persons_before = await db.fetchval("SELECT count(*) FROM wechat_identities WHERE appid = $1", app.appid)
    response = await wechat_token(client, app.client_id, code)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == problem
    assert response.headers.get("retry-after") == retry_after
    assert "refresh_token" not in response.text and app.secret not in response.text
    assert await db.fetchval("SELECT count(*) FROM wechat_identities WHERE appid = $1", app.appid) == persons_before


async def test_a_secret_wechat_refuses_is_a_502_for_the_street_to_fix(client, platform, wechat):
    appid = new_appid()
    wechat.register_app(appid, "the-real-secret-0123456789abcdef")
    app = await register_miniprogram(client, platform, appid=appid, secret="a-wrong-secret-0123456789abcdef")
    response = await wechat_token(client, app.client_id, unique_code())
    assert response.status_code == 502 and response.json()["code"] == "wechat_app_misconfigured"
    assert app.secret not in response.text


async def test_wechat_unreachable_is_a_503_with_retry_after(test_settings, platform, client):
    app = await register_miniprogram(client, platform)
    nowhere = test_settings.__class__(**{**test_settings.__dict__,
                                         "wechat_api_base": f"http://127.0.0.1:{free_port()}"})
    async with AsyncTestClient(app=create_app(nowhere), base_url="http://bilin.test") as cut_off:
        response = await wechat_token(cut_off, app.client_id, unique_code())
    assert response.status_code == 503 and response.json()["code"] == "wechat_unavailable"
    assert response.headers["retry-after"] == "5"


async def test_only_active_miniprogram_clients_may_use_the_grant(client, platform, wechat):
    app = await register_miniprogram(client, platform)
    for client_id in (platform.client_id, "cli_nobody000000000"):
        body = {"grant_type": "wechat_code", "code": unique_code(), "client_id": client_id}
        response = await client.post("/v1/auth/token", json=body)
        assert response.status_code == 401 and response.json()["code"] == "invalid_client", client_id
    no_client = await client.post("/v1/auth/token", json={"grant_type": "wechat_code", "code": unique_code()})
    assert no_client.status_code == 400 and no_client.json()["errors"][0]["field"] == "body.client_id"
    missing_code = await client.post("/v1/auth/token", json={"grant_type": "wechat_code", "client_id": app.client_id})
    assert missing_code.status_code == 400
    assert missing_code.json()["errors"][0]["field"] == "body.code"
    assert missing_code.json()["errors"][0]["code"] == "required" and missing_code.json()["errors"][0]["message"]
    assert (await client.delete(f"/v1/clients/{app.client_id}", headers=platform.headers())).status_code == 204
    disabled = await wechat_token(client, app.client_id, unique_code())
    assert disabled.status_code == 401 and disabled.json()["code"] == "invalid_client"


async def test_platform_clients_get_no_refresh_token(client, platform):
    response = await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": platform.client_id, "client_secret": platform.secret})
    assert response.status_code == 200 and "refresh_token" not in response.json()


# Refresh tokens

async def test_refresh_tokens_rotate_and_reuse_revokes_the_whole_family(client, db, platform, wechat):
    resident = await sign_in_resident(client, await register_miniprogram(client, platform))
    second = await refresh(client, resident.refresh_token)
    assert second.status_code == 200, second.text
    assert person_of(second.json()["access_token"]) == resident.person_id
    third = await refresh(client, second.json()["refresh_token"])
    assert third.status_code == 200
    newest = third.json()["refresh_token"]
    assert len({resident.refresh_token, second.json()["refresh_token"], newest}) == 3

    stolen = await refresh(client, resident.refresh_token)  # the first one, presented again
    assert stolen.status_code == 400 and stolen.json()["code"] == "invalid_grant"
    after_theft = await refresh(client, newest)  # the legitimate holder must sign in again
    assert after_theft.status_code == 400 and after_theft.json()["code"] == "invalid_grant"
    rows = await db.fetch("SELECT revoked_at, token_digest FROM refresh_tokens WHERE person_id = $1", resident.person_id)
    assert len(rows) == 3 and all(r["revoked_at"] is not None for r in rows)
    assert all(newest.encode() not in r["token_digest"] for r in rows)  # stored as digests only


async def test_a_token_presented_twice_at_once_succeeds_at_most_once(client, db, platform, wechat):
    resident = await sign_in_resident(client, await register_miniprogram(client, platform))
    answers = await asyncio.gather(*(refresh(client, resident.refresh_token) for _ in range(5)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 400, 400, 400, 400]
    winner = next(a for a in answers if a.status_code == 200)
    # The loser's presentation was a reuse: the winner's new token is revoked with its family.
    assert (await refresh(client, winner.json()["refresh_token"])).status_code == 400


async def test_unknown_expired_erased_and_disabled_cannot_refresh(client, db, platform, wechat):
    unknown = await refresh(client, "rt_" + "x" * 43)
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid_grant"

    app = await register_miniprogram(client, platform)
    expired = await sign_in_resident(client, app)
    await db.execute("UPDATE refresh_tokens SET expires_at = clock_timestamp() - interval '1 second' "
                     "WHERE person_id = $1", expired.person_id)
    assert (await refresh(client, expired.refresh_token)).json()["code"] == "invalid_grant"

    erased = await sign_in_resident(client, app)
    await db.execute("UPDATE persons SET erased_at = clock_timestamp() WHERE id = $1", erased.person_id)
    assert (await refresh(client, erased.refresh_token)).status_code == 400

    disabled = await sign_in_resident(client, app)
    assert (await client.delete(f"/v1/clients/{app.client_id}", headers=platform.headers())).status_code == 204
    assert (await refresh(client, disabled.refresh_token)).status_code == 400
    assert await db.fetchval("SELECT count(*) FROM refresh_tokens WHERE client_id = $1 AND revoked_at IS NULL",
                             app.client_id) == 0


# Nothing secret in the logs, with the service as a real process logging everything.

@pytest.mark.slow
def test_no_secret_session_key_token_or_phone_reaches_the_log(database_url, redis_url, wechat, tmp_path: Path):
    platform = asyncio.run(new_street_client(database_url))
    log_path = tmp_path / "service.log"
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "BILIN_LOG_LEVEL": "debug",
           "WECHAT_API_BASE": wechat.base_url, "BILIN_WECHAT_TIMEOUT": "1",
           # Other processes of the suite count token requests from 127.0.0.1 in the same Redis.
           "BILIN_RATE_LIMIT_TOKEN": "1000000/60", "BILIN_RATE_LIMIT_ANONYMOUS": "1000000/60"}
    secrets_seen: list[str] = []
    with running_service(env, log_path=log_path) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        issued = http.post("/v1/auth/token", json={"grant_type": "client_credentials", "client_id": platform.client_id,
                                                   "client_secret": platform.secret})
        assert issued.status_code == 200, issued.text
        token = issued.json()["access_token"]
        app_secret, appid = "0123456789abcdef0123456789abcdef", new_appid()
        created = http.post("/v1/clients", headers={"Authorization": f"Bearer {token}"},
                            json={"name": "小程序", "appid": appid, "app_secret": app_secret})
        client_id = created.json()["id"]
        code = unique_code()
        signed_in = http.post("/v1/auth/token", json={"grant_type": "wechat_code", "client_id": client_id,
                                                      "code": code}).json()
        refreshed = http.post("/v1/auth/token", json={"grant_type": "refresh_token",
                                                      "refresh_token": signed_in["refresh_token"]}).json()
        phone = http.post("/v1/me/phone", headers={"Authorization": f"Bearer {refreshed['access_token']}"},
                          json={"code": "phone-13912345678"})
        assert phone.status_code == 200, phone.text
        for failing in ("invalid", "busy", "system", "slow"):
            http.post("/v1/auth/token", json={"grant_type": "wechat_code", "client_id": client_id, "code": failing})
        secrets_seen += [app_secret, code, signed_in["refresh_token"], signed_in["access_token"],
                         refreshed["refresh_token"], "13912345678", *wechat.session_keys]
        access_tokens = [r.query["access_token"] for r in wechat.requests("/wxa/business/getuserphonenumber")]
        secrets_seen += access_tokens
    log = log_path.read_text()
    assert "wechat_refused" in log and "wechat_unreachable" in log  # the failures were logged
    leaked = [s for s in secrets_seen if s in log]
    assert not leaked, f"{len(leaked)} secret(s) in the log"
