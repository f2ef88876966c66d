"""POST /v1/me/phone: WeChat's getPhoneNumber code exchanged through the stand-in with the
caller's mini-program credentials; the full number is stored, the answer masks it."""

from __future__ import annotations

import json

import pytest

from tests.support.people import new_person
from tests.support.wechat import register_miniprogram, sign_in_resident


async def test_the_verified_number_is_stored_and_answered_masked(client, db, platform, wechat):
    app = await register_miniprogram(client, platform)
    resident = await sign_in_resident(client, app)
    response = await client.post("/v1/me/phone", headers=resident.headers(), json={"code": "phone-13800138000"})
    assert response.status_code == 200, response.text
    assert response.json()["phone"] == "138****8000"
    assert "13800138000" not in response.text
    person = await db.fetchrow("SELECT phone, updated_at FROM persons WHERE id = $1", resident.person_id)
    assert person["phone"] == "13800138000"
    assert response.json()["verified_at"].startswith(person["updated_at"].strftime("%Y-%m-%dT%H:%M:%S"))

    # The access token came from WeChat with the app's own credentials, and is reused.
    fetched = wechat.requests("/cgi-bin/stable_token", appid=app.appid)
    assert len(fetched) == 1 and json.loads(fetched[0].body)["secret"] == app.secret
    asked = wechat.requests("/wxa/business/getuserphonenumber", appid=app.appid)
    assert [r.body for r in asked] == [b'{"code":"phone-13800138000"}']
    again = await client.post("/v1/me/phone", headers=resident.headers(), json={"code": "phone-13900000001"})
    assert again.json()["phone"] == "139****0001"
    assert len(wechat.requests("/cgi-bin/stable_token", appid=app.appid)) == 1


@pytest.mark.parametrize(("invalidate", "fetches", "forced"), [
    ("expire_access_tokens", 2, 0),  # 42001: stable_token hands out a new token; no force
    ("revoke_access_tokens", 3, 1),  # 40001 while WeChat still hands out the same: force once
])
async def test_a_stale_access_token_is_fetched_again_once(client, platform, wechat, invalidate, fetches, forced):
    app = await register_miniprogram(client, platform)
    resident = await sign_in_resident(client, app)
    assert (await client.post("/v1/me/phone", headers=resident.headers(),
                              json={"code": "phone-13800138000"})).status_code == 200
    getattr(wechat, invalidate)()  # 40001 or 42001 on the next use
    response = await client.post("/v1/me/phone", headers=resident.headers(), json={"code": "phone-13700000002"})
    assert response.status_code == 200, response.text
    fetched = [json.loads(r.body) for r in wechat.requests("/cgi-bin/stable_token", appid=app.appid)]
    assert len(fetched) == fetches and wechat.force_refreshes(app.appid) == forced
    assert [f["force_refresh"] for f in fetched] == [False] * (fetches - forced) + [True] * forced
    assert not wechat.requests("/cgi-bin/token")  # it would invalidate the mini-program's own token


@pytest.mark.parametrize(("code", "status", "problem"), [
    ("invalid", 400, "wechat_code_invalid"), ("phone-12ab", 400, "wechat_code_invalid"),
    ("busy", 503, "wechat_rate_limited"), ("system", 503, "wechat_unavailable"),
    ("slow", 503, "wechat_unavailable"),
])
async def test_wechat_failures_leave_the_number_unchanged(client, db, platform, wechat, code, status, problem):
    resident = await sign_in_resident(client, await register_miniprogram(client, platform))
    response = await client.post("/v1/me/phone", headers=resident.headers(), json={"code": code})
    assert response.status_code == status and response.json()["code"] == problem
    assert await db.fetchval("SELECT phone FROM persons WHERE id = $1", resident.person_id) is None


async def test_only_a_live_person_of_an_active_miniprogram_may_verify(client, db, test_settings, platform, wechat):
    body = {"code": "phone-13800138000"}
    as_platform = await client.post("/v1/me/phone", headers=platform.headers(), json=body)
    assert as_platform.status_code == 403 and as_platform.json()["code"] == "person_required"
    assert (await client.post("/v1/me/phone", json=body)).status_code == 401

    via_platform = await new_person(db, test_settings, client_id=platform.client_id, street_id=platform.street_id)
    refused = await client.post("/v1/me/phone", headers=via_platform.headers(), json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "miniprogram_required"

    app = await register_miniprogram(client, platform)
    resident = await sign_in_resident(client, app)
    await client.delete(f"/v1/clients/{app.client_id}", headers=platform.headers())
    disabled = await client.post("/v1/me/phone", headers=resident.headers(), json=body)
    assert disabled.status_code == 403 and disabled.json()["code"] == "miniprogram_required"

    erased = await new_person(db, test_settings, client_id=app.client_id, street_id=platform.street_id)
    await db.execute("UPDATE persons SET erased_at = clock_timestamp() WHERE id = $1", erased.person_id)
    gone = await client.post("/v1/me/phone", headers=erased.headers(), json=body)
    assert gone.status_code == 404


async def test_a_missing_or_malformed_code_is_a_400(client, platform, wechat):
    resident = await sign_in_resident(client, await register_miniprogram(client, platform))
    asked_before = len(wechat.requests("/wxa/business/getuserphonenumber"))
    for body in ({}, {"code": ""}, {"code": "phone 138"}, {"code": "x", "phone": "13800138000"}):
        response = await client.post("/v1/me/phone", headers=resident.headers(), json=body)
        assert response.status_code == 400, body
    assert len(wechat.requests("/wxa/business/getuserphonenumber")) == asked_before  # WeChat never asked
