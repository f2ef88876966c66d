"""Communities, buildings and households through the API, and the wall between streets."""

from __future__ import annotations

import asyncpg
import pytest

from tests.support.platform import Platform


async def create_place_tree(client, platform: Platform) -> dict[str, str]:
    community = await client.post("/v1/communities", headers=platform.headers(),
                                  json={"name": "嘉富社区", "external_id": "JF"})
    assert community.status_code == 201, community.text
    community_id = community.json()["id"]
    building = await client.post(f"/v1/communities/{community_id}/buildings", headers=platform.headers(),
                                 json={"name": "3 号楼", "address": "嘉富路 88 弄", "floors": 6, "units": 2,
                                       "rules": {"support_percent": 20}})
    assert building.status_code == 201, building.text
    building_id = building.json()["id"]
    household = await client.post(f"/v1/buildings/{building_id}/households", headers=platform.headers(),
                                  json={"unit_label": "3-1-201", "area_m2": 89.5})
    assert household.status_code == 201, household.text
    return {"community": community_id, "building": building_id, "household": household.json()["id"]}


async def test_create_read_list_update_the_places_of_a_street(client, platform):
    ids = await create_place_tree(client, platform)

    building = (await client.get(f"/v1/buildings/{ids['building']}", headers=platform.headers())).json()
    assert building["community_id"] == ids["community"]
    assert building["counts"] == {"households": 1}
    assert building["rules"]["support_percent"] == 20
    assert building["rules"]["support_min_households"] == 3  # default kept

    household = (await client.get(f"/v1/households/{ids['household']}", headers=platform.headers())).json()
    assert household["area_m2"] == "89.50"
    assert household["votes"] is True

    listed = (await client.get(f"/v1/communities/{ids['community']}/buildings",
                               headers=platform.headers())).json()
    assert [b["id"] for b in listed["data"]] == [ids["building"]]
    assert listed["next_cursor"] is None

    changed = await client.patch(f"/v1/households/{ids['household']}", headers=platform.headers(),
                                 json={"area_m2": "100", "votes": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["area_m2"] == "100.00"
    assert changed.json()["votes"] is False
    assert changed.json()["updated_at"] > household["updated_at"]

    renamed = await client.patch(f"/v1/communities/{ids['community']}", headers=platform.headers(),
                                 json={"name": "嘉富社区（新）", "external_id": None})
    assert renamed.json()["name"] == "嘉富社区（新）"
    assert renamed.json()["external_id"] is None


async def test_filters_by_external_id(client, platform):
    ids = await create_place_tree(client, platform)
    found = await client.get("/v1/communities", params={"external_id": "JF"}, headers=platform.headers())
    assert [c["id"] for c in found.json()["data"]] == [ids["community"]]
    none = await client.get("/v1/communities", params={"external_id": "nope"}, headers=platform.headers())
    assert none.json()["data"] == []


async def test_duplicates_are_conflicts(client, platform):
    ids = await create_place_tree(client, platform)
    again = await client.post(f"/v1/buildings/{ids['building']}/households", headers=platform.headers(),
                              json={"unit_label": "3-1-201", "area_m2": "70.00"})
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_unit_label"
    twin = await client.post("/v1/communities", headers=platform.headers(), json={"name": "x", "external_id": "JF"})
    assert twin.status_code == 409
    assert twin.json()["code"] == "duplicate_external_id"


async def test_area_rules(client, platform):
    ids = await create_place_tree(client, platform)
    for bad in ("-1", "1.234", "abc", -5, 1e12, 0.005, 89.555, "0.005"):
        response = await client.post(f"/v1/buildings/{ids['building']}/households", headers=platform.headers(),
                                     json={"unit_label": f"x-{bad}", "area_m2": bad})
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["errors"][0]["field"] == "body.area_m2"


async def test_another_street_sees_nothing(client, platform, other_platform):
    ids = await create_place_tree(client, platform)
    outsider = other_platform.headers()
    reads = [f"/v1/communities/{ids['community']}", f"/v1/buildings/{ids['building']}",
             f"/v1/households/{ids['household']}", f"/v1/communities/{ids['community']}/buildings",
             f"/v1/buildings/{ids['building']}/households"]
    for path in reads:
        response = await client.get(path, headers=outsider)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    writes = [("PATCH", f"/v1/communities/{ids['community']}", {"name": "x"}),
              ("PATCH", f"/v1/buildings/{ids['building']}", {"name": "x"}),
              ("PATCH", f"/v1/households/{ids['household']}", {"votes": False}),
              ("POST", f"/v1/communities/{ids['community']}/buildings", {"name": "x"}),
              ("POST", f"/v1/buildings/{ids['building']}/households", {"unit_label": "x", "area_m2": 1})]
    for method, path, body in writes:
        response = await client.request(method, path, json=body, headers=outsider)
        assert response.status_code == 404, (method, path, response.text)
    for path in ("/v1/communities", "/v1/buildings"):
        listed = (await client.get(path, headers=outsider)).json()["data"]
        assert ids["community"] not in {row.get("id") for row in listed}
        assert ids["building"] not in {row.get("id") for row in listed}
    # and nothing changed
    building = (await client.get(f"/v1/buildings/{ids['building']}", headers=platform.headers())).json()
    assert building["name"] == "3 号楼" and building["counts"]["households"] == 1


async def test_read_only_scope_may_read_but_not_write(client, database_url, platform):
    from tests.support.platform import new_street_client, sign_in

    reader = await sign_in(client, await new_street_client(database_url, scopes=frozenset({"street:read"})))
    created = await client.post("/v1/communities", headers=reader.headers(), json={"name": "x"})
    assert created.status_code == 403
    assert created.json()["code"] == "insufficient_scope"
    assert (await client.get("/v1/communities", headers=reader.headers())).status_code == 200


async def test_unknown_and_malformed_ids_are_404(client, platform):
    for path in ("/v1/communities/com_0000000000000000", "/v1/communities/not-an-id",
                 "/v1/buildings/com_0000000000000000", "/v1/households/%E4%BD%A0"):
        response = await client.get(path, headers=platform.headers())
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_household_that_votes_needs_an_area(client, db, platform):
    ids = await create_place_tree(client, platform)
    url = f"/v1/buildings/{ids['building']}/households"
    for body in ({"unit_label": "z-1", "area_m2": 0}, {"unit_label": "z-2", "area_m2": "0.00", "votes": True}):
        refused = await client.post(url, headers=platform.headers(), json=body)
        assert refused.status_code == 422 and refused.json()["code"] == "area_required_to_vote", refused.text
    storage = await client.post(url, headers=platform.headers(), json={"unit_label": "z-3", "area_m2": "0",
                                                                       "votes": False})
    assert storage.status_code == 201, storage.text  # a storeroom without a vote may have no area
    household = f"/v1/households/{storage.json()['id']}"
    refused = await client.patch(household, headers=platform.headers(), json={"votes": True})
    assert refused.status_code == 422 and refused.json()["code"] == "area_required_to_vote"
    both = await client.patch(household, headers=platform.headers(), json={"votes": True, "area_m2": "12.5"})
    assert both.status_code == 200 and both.json()["area_m2"] == "12.50", both.text
    zeroed = await client.patch(household, headers=platform.headers(), json={"area_m2": 0})
    assert zeroed.status_code == 422 and zeroed.json()["code"] == "area_required_to_vote"
    with pytest.raises(asyncpg.CheckViolationError):  # the database holds the rule too
        await db.execute("UPDATE households SET area_m2 = 0 WHERE id = $1", storage.json()["id"])
