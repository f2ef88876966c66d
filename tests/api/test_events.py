"""Every write appends its event in the same transaction; a rolled-back write has none."""

from __future__ import annotations

import pytest


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


@pytest.fixture
async def commit_refused_for(db):
    """A deferred constraint trigger that refuses, at COMMIT, a transaction creating a
    community of the given name: the write has run and appended its event by then, so only
    a real rollback of the whole transaction can leave no event behind."""
    await db.execute("""
        CREATE FUNCTION refuse_probe_community() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.name = 'rollback-probe' THEN RAISE EXCEPTION 'refused at commit'; END IF;
            RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER refuse_probe_community AFTER INSERT ON communities
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_probe_community();
    """)
    yield "rollback-probe"
    await db.execute("DROP TRIGGER refuse_probe_community ON communities; "
                     "DROP FUNCTION refuse_probe_community();")


async def test_a_rolled_back_write_leaves_no_event(client, db, platform, commit_refused_for):
    before = await events_of(db, platform.street_id)
    refused = await client.post("/v1/communities", headers=platform.headers(), json={"name": commit_refused_for})
    assert refused.status_code == 503  # the commit failed: the client is not told it succeeded
    assert await db.fetchval("SELECT count(*) FROM communities WHERE street_id = $1", platform.street_id) == 0
    assert await events_of(db, platform.street_id) == before
    # The same write without the refusal commits with its event: the trigger is what failed it.
    kept = await client.post("/v1/communities", headers=platform.headers(), json={"name": "康居社区"})
    assert kept.status_code == 201
    assert [e["type"] for e in await events_of(db, platform.street_id)] == [
        *(e["type"] for e in before), "community.created"]


async def test_an_empty_patch_changes_nothing_and_records_nothing(client, db, platform):
    community = (await client.post("/v1/communities", headers=platform.headers(), json={"name": "a"})).json()
    before = len(await events_of(db, platform.street_id))
    same = await client.patch(f"/v1/communities/{community['id']}", headers=platform.headers(), json={})
    assert same.status_code == 200 and same.json()["updated_at"] == community["updated_at"]
    assert len(await events_of(db, platform.street_id)) == before
