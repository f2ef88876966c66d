"""Mini-program clients: registered, read, changed and disabled by a street-wide writer; the
app secret is write-only (sealed at rest, never in an answer or an event)."""

from __future__ import annotations

import json

from tests.support.people import grant, new_person
from tests.support.platform import new_street_client, sign_in
from tests.support.wechat import new_appid, register_miniprogram, sign_in_resident, unique_code, wechat_token

SECRET_FIELDS = {"app_secret", "app_secret_sealed", "secret", "secret_digest", "client_secret"}


def assert_no_secret(body: object, *secrets: str) -> None:
    text = json.dumps(body, ensure_ascii=False)
    assert not any(secret in text for secret in secrets)
    items = body.get("data", [body]) if isinstance(body, dict) else body
    for item in items:
        assert not SECRET_FIELDS & set(item), item


async def test_register_read_list_a_miniprogram_client_without_its_secret(client, db, platform):
    appid, secret = new_appid(), "0123456789abcdef0123456789abcdef"
    created = await client.post("/v1/clients", headers=platform.headers(), json={
        "name": "嘉富邻里 🏠", "appid": appid, "app_secret": secret})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"].startswith("cli_") and created.headers["location"] == f"/v1/clients/{body['id']}"
    assert (body["kind"], body["name"], body["appid"], body["app_secret_set"]) == (
        "miniprogram", "嘉富邻里 🏠", appid, True)
    assert_no_secret(body, secret)

    read = await client.get(f"/v1/clients/{body['id']}", headers=platform.headers())
    assert read.json() == body and read.headers["etag"] == created.headers["etag"]
    not_modified = await client.get(f"/v1/clients/{body['id']}",
                                    headers=platform.headers(**{"If-None-Match": read.headers["etag"]}))
    assert not_modified.status_code == 304

    listed = (await client.get("/v1/clients", headers=platform.headers())).json()
    assert [c["id"] for c in listed["data"]] == [body["id"], platform.client_id]  # newest first
    assert listed["data"][1]["kind"] == "platform" and listed["data"][1]["app_secret_set"] is False
    assert_no_secret(listed, secret, platform.secret)

    stored = await db.fetchval("SELECT app_secret_sealed FROM clients WHERE id = $1", body["id"])
    assert secret.encode() not in stored  # sealed at rest


async def test_change_and_disable_with_events_that_carry_no_secret(client, db, platform, wechat):
    app = await register_miniprogram(client, platform)
    url = f"/v1/clients/{app.client_id}"
    etag = (await client.get(url, headers=platform.headers())).headers["etag"]
    new_secret = "fedcba9876543210fedcba9876543210"
    changed = await client.patch(url, headers=platform.headers(**{"If-Match": etag}),
                                 json={"name": "新名字", "app_secret": new_secret})
    assert changed.status_code == 200 and changed.json()["name"] == "新名字"
    assert_no_secret(changed.json(), new_secret, app.secret)
    stale = await client.patch(url, headers=platform.headers(**{"If-Match": etag}), json={"name": "x"})
    assert stale.status_code == 412

    # The new secret is the one sent to WeChat from now on.
    assert (await wechat_token(client, app.client_id, unique_code())).status_code == 200
    assert wechat.requests("/sns/jscode2session", appid=app.appid)[-1].query["secret"] == new_secret

    # A new appid is the one WeChat is asked with from now on.
    moved_to = new_appid()
    moved = await client.patch(url, headers=platform.headers(), json={"appid": moved_to})
    assert moved.json()["appid"] == moved_to
    assert (await wechat_token(client, app.client_id, unique_code())).status_code == 200
    assert wechat.requests("/sns/jscode2session", appid=moved_to)[-1].query["secret"] == new_secret

    stale_delete = await client.delete(url, headers=platform.headers(**{"If-Match": etag}))
    assert stale_delete.status_code == 412
    assert (await client.delete(url, headers=platform.headers())).status_code == 204
    assert (await client.get(url, headers=platform.headers())).status_code == 404  # gone from the API
    assert (await client.patch(url, headers=platform.headers(), json={"name": "again"})).status_code == 404
    assert (await client.delete(url, headers=platform.headers())).status_code == 204  # idempotent
    listed = (await client.get("/v1/clients", headers=platform.headers())).json()["data"]
    assert app.client_id not in {c["id"] for c in listed}
    assert await db.fetchval("SELECT disabled_at IS NOT NULL FROM clients WHERE id = $1", app.client_id)

    events = await db.fetch("SELECT type, data FROM events WHERE subject_id = $1 ORDER BY seq", app.client_id)
    assert [e["type"] for e in events] == ["client.created", "client.updated", "client.updated", "client.disabled"]
    assert [e["data"].get("changed") for e in events[1:3]] == [["app_secret", "name"], ["appid"]]
    for event in events:
        assert_no_secret(event["data"]["client"], app.secret, new_secret)


async def test_an_appid_is_registered_once_while_active(client, platform, other_platform):
    app = await register_miniprogram(client, platform)
    for owner in (platform, other_platform):
        again = await client.post("/v1/clients", headers=owner.headers(), json={
            "name": "copy", "appid": app.appid, "app_secret": "0123456789abcdef0123"})
        assert again.status_code == 409 and again.json()["code"] == "duplicate_appid"
    await client.delete(f"/v1/clients/{app.client_id}", headers=platform.headers())
    reused = await register_miniprogram(client, other_platform, appid=app.appid)
    assert reused.client_id != app.client_id


async def test_another_streets_client_is_not_found(client, platform, other_platform):
    app = await register_miniprogram(client, platform)
    url = f"/v1/clients/{app.client_id}"
    assert (await client.get(url, headers=other_platform.headers())).status_code == 404
    assert (await client.patch(url, headers=other_platform.headers(), json={"name": "x"})).status_code == 404
    assert (await client.delete(url, headers=other_platform.headers())).status_code == 404
    listed = (await client.get("/v1/clients", headers=other_platform.headers())).json()["data"]
    assert app.client_id not in {c["id"] for c in listed}
    assert (await client.get("/v1/clients/not-an-id", headers=platform.headers())).status_code == 404


async def test_read_only_scope_residents_and_platform_rows(client, database_url, test_settings, platform, db):
    reader = await sign_in(client, await new_street_client(database_url, scopes=frozenset({"street:read"})))
    for response in (await client.get("/v1/clients", headers=reader.headers()),
                     await client.post("/v1/clients", headers=reader.headers(), json={
                         "name": "x", "appid": new_appid(), "app_secret": "0123456789abcdef"})):
        assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"

    app = await register_miniprogram(client, platform)
    resident = await new_person(db, test_settings, client_id=app.client_id, street_id=platform.street_id)
    assert (await client.get("/v1/clients", headers=resident.headers())).status_code == 403

    # Platform clients are the operator command's: readable here, never changed or disabled.
    own = f"/v1/clients/{platform.client_id}"
    assert (await client.get(own, headers=platform.headers())).json()["kind"] == "platform"
    for response in (await client.patch(own, headers=platform.headers(), json={"name": "x"}),
                     await client.delete(own, headers=platform.headers())):
        assert response.status_code == 403 and response.json()["code"] == "platform_client_readonly"


async def test_street_officers_may_manage_clients(client, db, test_settings, platform):
    app = await register_miniprogram(client, platform)
    officer = await new_person(db, test_settings, client_id=app.client_id, street_id=platform.street_id)
    await grant(db, officer, "street_officer", platform.street_id, street_id=platform.street_id)
    created = await client.post("/v1/clients", headers=officer.headers(), json={
        "name": "officer's", "appid": new_appid(), "app_secret": "0123456789abcdef"})
    assert created.status_code == 201, created.text


async def test_bad_input_is_a_400_and_a_keyed_post_replays(client, platform):
    for body in ({"name": "x", "appid": "not-an-appid", "app_secret": "0123456789abcdef"},
                 {"name": "x", "appid": new_appid(), "app_secret": "short"},
                 {"name": "x", "appid": new_appid()},
                 {"name": "x", "appid": new_appid(), "app_secret": "0123456789abcdef", "scopes": ["street:write"]}):
        response = await client.post("/v1/clients", headers=platform.headers(), json=body)
        assert response.status_code == 400, body
    body = {"name": "x", "appid": new_appid(), "app_secret": "0123456789abcdef"}
    headers = platform.headers(**{"Idempotency-Key": unique_code()})
    first = await client.post("/v1/clients", headers=headers, json=body)
    replay = await client.post("/v1/clients", headers=headers, json=body)
    assert first.status_code == replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == first.json()


async def test_a_successor_client_with_the_same_appid_keeps_its_residents(client, platform, wechat):
    app = await register_miniprogram(client, platform)
    code = unique_code()
    before = await sign_in_resident(client, app, code)
    await client.delete(f"/v1/clients/{app.client_id}", headers=platform.headers())
    successor = await register_miniprogram(client, platform, appid=app.appid)
    after = await sign_in_resident(client, successor, code)
    assert after.person_id == before.person_id  # the identity is the appid's, not the client row's
