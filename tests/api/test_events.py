"""Every write appends its event in the same transaction; a rolled-back write has none."""

from __future__ import annotations


async def events_of(db, street_id: str) -> list[dict]:
    rows = await db.fetch("SELECT type, subject_type, subject_id, community_id, building_id, data "
                          "FROM events WHERE street_id = $1 ORDER BY seq", street_id)
    return [dict(row) for row in rows]


async def test_each_write_appends_one_event(client, db, platform):
    community = (await client.post("/v1/communities", headers=platform.headers(), json={"name": "康居社区"})).json()
    building = (await client.post(f"/v1/communities/{community['id']}/buildings", headers=platform.headers(),
                                  json={"name": "1 号楼"})).json()
    household = (await client.post(f"/v1/buildings/{building['id']}/households", headers=platform.headers(),
                                   json={"unit_label": "1-101", "area_m2": "66.60"})).json()
    await client.patch(f"/v1/households/{household['id']}", headers=platform.headers(), json={"votes": False})
    events = await events_of(db, platform.street_id)
    assert [e["type"] for e in events] == [
        "community.created", "building.created", "household.created", "household.updated"]
    updated = events[-1]
    assert updated["subject_id"] == household["id"]
    assert updated["building_id"] == building["id"] and updated["community_id"] == community["id"]
    assert updated["data"]["changed"] == ["votes"]
    assert updated["data"]["household"]["area_m2"] == "66.60"


async def test_a_rolled_back_write_leaves_no_event(client, db, platform):
    await client.post("/v1/communities", headers=platform.headers(), json={"name": "a", "external_id": "X"})
    before = len(await events_of(db, platform.street_id))
    duplicate = await client.post("/v1/communities", headers=platform.headers(), json={"name": "b", "external_id": "X"})
    assert duplicate.status_code == 409
    unchanged = await client.patch("/v1/communities/com_0000000000000000", headers=platform.headers(), json={"name": "c"})
    assert unchanged.status_code == 404
    assert len(await events_of(db, platform.street_id)) == before


async def test_an_empty_patch_changes_nothing_and_records_nothing(client, db, platform):
    community = (await client.post("/v1/communities", headers=platform.headers(), json={"name": "a"})).json()
    before = len(await events_of(db, platform.street_id))
    same = await client.patch(f"/v1/communities/{community['id']}", headers=platform.headers(), json={})
    assert same.status_code == 200 and same.json()["updated_at"] == community["updated_at"]
    assert len(await events_of(db, platform.street_id)) == before
