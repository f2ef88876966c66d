"""Strong ETags: 304 on If-None-Match, 412 on a stale If-Match, and tags that follow the
representation."""

from __future__ import annotations


async def make_building(client, platform) -> tuple[str, str]:
    community = await client.post("/v1/communities", headers=platform.headers(), json={"name": "万象西园"})
    building = await client.post(f"/v1/communities/{community.json()['id']}/buildings",
                                 headers=platform.headers(), json={"name": "5 号楼"})
    return community.json()["id"], building.json()["id"]


async def test_if_none_match_gives_304_until_the_resource_changes(client, platform):
    community_id, _ = await make_building(client, platform)
    path = f"/v1/communities/{community_id}"
    first = await client.get(path, headers=platform.headers())
    tag = first.headers["etag"]
    assert tag.startswith('"') and not tag.startswith("W/")
    cached = await client.get(path, headers=platform.headers(**{"If-None-Match": tag}))
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == tag
    await client.patch(path, headers=platform.headers(), json={"name": "万象西园二期"})
    fresh = await client.get(path, headers=platform.headers(**{"If-None-Match": tag}))
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != tag


async def test_stale_if_match_is_412_and_changes_nothing(client, platform):
    community_id, _ = await make_building(client, platform)
    path = f"/v1/communities/{community_id}"
    tag = (await client.get(path, headers=platform.headers())).headers["etag"]
    ok = await client.patch(path, headers=platform.headers(**{"If-Match": tag}), json={"name": "甲"})
    assert ok.status_code == 200
    assert ok.headers["etag"] != tag
    stale = await client.patch(path, headers=platform.headers(**{"If-Match": tag}), json={"name": "乙"})
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    assert (await client.get(path, headers=platform.headers())).json()["name"] == "甲"
    weak = await client.patch(path, headers=platform.headers(**{"If-Match": "W/" + ok.headers["etag"]}),
                              json={"name": "丙"})
    assert weak.status_code == 412  # If-Match uses the strong comparison


async def test_the_tag_of_a_building_follows_its_household_count(client, platform):
    _, building_id = await make_building(client, platform)
    path = f"/v1/buildings/{building_id}"
    before = (await client.get(path, headers=platform.headers())).headers["etag"]
    await client.post(f"{path}/households", headers=platform.headers(), json={"unit_label": "1-101", "area_m2": 60})
    after = (await client.get(path, headers=platform.headers())).headers["etag"]
    assert before != after


async def test_patch_response_tag_matches_a_fresh_get(client, platform):
    _, building_id = await make_building(client, platform)
    path = f"/v1/buildings/{building_id}"
    patched = await client.patch(path, headers=platform.headers(), json={"rules": {"collect_days": 7}})
    assert patched.json()["rules"]["collect_days"] == 7
    assert (await client.get(path, headers=platform.headers())).headers["etag"] == patched.headers["etag"]
