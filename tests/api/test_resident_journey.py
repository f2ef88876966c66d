"""A resident's whole journey, end to end over HTTP: signed in through the WeChat stand-in,
joins a household by invite, reads their profile, refreshes (rotation, reuse detection), and
is refused everywhere outside their building."""

from __future__ import annotations

from tests.support.wechat import refresh, register_miniprogram, sign_in_resident, unique_code


async def test_sign_in_join_read_refresh_and_stay_inside(client, platform, wechat):
    admin = platform.headers()
    community = (await client.post("/v1/communities", headers=admin, json={"name": "中环花苑"})).json()["id"]
    home, elsewhere = [
        (await client.post(f"/v1/communities/{community}/buildings", headers=admin, json={"name": name})).json()["id"]
        for name in ("3 号楼", "6 号楼")]
    household = (await client.post(f"/v1/buildings/{home}/households", headers=admin,
                                   json={"unit_label": "3-1-201", "area_m2": "89.50"})).json()["id"]
    other_household = (await client.post(f"/v1/buildings/{elsewhere}/households", headers=admin,
                                         json={"unit_label": "6-2-301", "area_m2": 75})).json()["id"]
    code = (await client.post(f"/v1/households/{household}/invites", headers=admin,
                              json={"role": "owner", "head": True})).json()["code"]

    app = await register_miniprogram(client, platform)
    resident = await sign_in_resident(client, app, unique_code("journey-"))
    me = {"Authorization": f"Bearer {resident.access_token}"}
    assert (await client.get(f"/v1/buildings/{home}", headers=me)).status_code == 404  # not yet a member

    joined = await client.post("/v1/me/memberships", headers=me, json={"invite_code": code})
    assert joined.status_code == 201, joined.text
    profile = (await client.get("/v1/me", headers=me)).json()
    assert [(m["household_id"], m["role"], m["head"]) for m in profile["memberships"]] == [(household, "owner", True)]

    rotated = await refresh(client, resident.refresh_token)
    assert rotated.status_code == 200
    newer = rotated.json()
    assert newer["refresh_token"] != resident.refresh_token
    me = {"Authorization": f"Bearer {newer['access_token']}"}
    assert (await client.get(f"/v1/buildings/{home}", headers=me)).status_code == 200

    inside = [f"/v1/buildings/{home}", f"/v1/buildings/{home}/members", f"/v1/households/{household}"]
    for path in inside:
        assert (await client.get(path, headers=me)).status_code == 200, path
    outside_reads = [f"/v1/buildings/{elsewhere}", f"/v1/buildings/{elsewhere}/members",
                     f"/v1/households/{other_household}", f"/v1/buildings/{elsewhere}/households",
                     f"/v1/buildings/{elsewhere}/roles"]
    for path in outside_reads:
        response = await client.get(path, headers=me)
        assert response.status_code == 404 and "data" not in response.json(), path
    forbidden = [("GET", f"/v1/buildings/{home}/households", None), ("GET", "/v1/audit", None),
                 ("GET", "/v1/clients", None), ("GET", "/v1/streets/roles", None),
                 ("POST", "/v1/communities", {"name": "x"}),
                 ("PATCH", f"/v1/buildings/{home}", {"name": "x"}),
                 ("PATCH", f"/v1/households/{household}", {"votes": False}),
                 ("POST", f"/v1/buildings/{home}/households", {"unit_label": "x", "area_m2": 1})]
    for method, path, body in forbidden:
        response = await client.request(method, path, headers=me, json=body)
        assert response.status_code == 403, (method, path, response.status_code)
    listed = (await client.get("/v1/buildings", headers=me)).json()["data"]
    assert [b["id"] for b in listed] == [home]

    reused = await refresh(client, resident.refresh_token)  # the first one again: theft
    assert reused.status_code == 400 and reused.json()["code"] == "invalid_grant"
    assert (await refresh(client, newer["refresh_token"])).status_code == 400, "the whole family is revoked"
