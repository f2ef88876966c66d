"""Bulk registry import through the API and the jobs: upsert by external id, re-runs that
change nothing, encodings, JSON lines, per-row errors, bad files, cancellation, templates."""

from __future__ import annotations

import json

from tests.support.imports import imported, post_import, run_import

COMMUNITIES = "外部编号,名称\r\nC1,嘉富社区\r\nC2,丰庄社区\r\n"
BUILDINGS = ("external_id,community_external_id,name,floors\n"
             "B1,C1,1 号楼,6\nB2,C1,2 号楼,6\nB3,C2,3 号楼,18\n")
HOUSEHOLDS = ("外部编号(external_id),楼栋外部编号(building_external_id),门牌号(unit_label),面积(area_m2),参与表决(votes)\n"
              + "".join(f"H{i},B{1 + i % 3},{100 + i},{80 + i}.5,是\n" for i in range(12)))


async def registry(client, db, platform, encoding: str = "utf-8") -> dict:
    for kind, text in (("communities", COMMUNITIES), ("buildings", BUILDINGS)):
        done = await imported(client, db, platform, kind, text.encode())
        assert done["status"] == "succeeded" and done["failed"] == 0, done
    return await imported(client, db, platform, "households", HOUSEHOLDS.encode(encoding))


async def test_the_same_file_twice_changes_nothing_the_second_time(client, db, platform):
    first = await registry(client, db, platform)
    assert first["status"] == "succeeded"
    assert (first["rows_total"], first["rows_done"], first["created"], first["updated"], first["unchanged"],
            first["failed"]) == (12, 12, 12, 0, 0, 0)
    before = await db.fetch("SELECT id, updated_at FROM households WHERE street_id = $1 ORDER BY id",
                            platform.street_id)
    again = await imported(client, db, platform, "households", HOUSEHOLDS.encode())
    assert (again["created"], again["updated"], again["unchanged"], again["failed"]) == (0, 0, 12, 0)
    assert await db.fetch("SELECT id, updated_at FROM households WHERE street_id = $1 ORDER BY id",
                          platform.street_id) == before
    changed = HOUSEHOLDS.replace("H3,B1,103,83.5", "H3,B1,103,99.0")
    third = await imported(client, db, platform, "households", changed.encode())
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 11)
    updated = await db.fetch("SELECT data FROM events WHERE street_id = $1 AND type = 'household.updated'",
                             platform.street_id)
    assert [e["data"]["changed"] for e in updated] == [["area_m2"]]
    created = await db.fetchval("SELECT data FROM events WHERE street_id = $1 AND type = 'household.created' LIMIT 1",
                                platform.street_id)
    assert "changed" not in created
    listed = await client.get(f"/v1/households/{before[0]['id']}", headers=platform.headers())
    assert listed.status_code == 200


async def test_gb18030_and_bom_files_are_read(client, db, platform):
    done = await registry(client, db, platform, "gb18030")
    assert (done["encoding"], done["created"], done["failed"]) == ("gb18030", 12, 0)
    bom = await imported(client, db, platform, "households", b"\xef\xbb\xbf" + HOUSEHOLDS.encode())
    assert (bom["encoding"], bom["unchanged"]) == ("utf-8-sig", 12)
    names = await db.fetch("SELECT name FROM communities WHERE street_id = $1 ORDER BY external_id",
                           platform.street_id)
    assert [r["name"] for r in names] == ["嘉富社区", "丰庄社区"]


async def test_json_lines(client, db, platform):
    await registry(client, db, platform)
    lines = [json.dumps({"external_id": "J1", "building_external_id": "B2", "unit_label": "901", "area_m2": 70}),
             json.dumps({"外部编号": "J2", "楼栋外部编号": "B2", "门牌号": "902", "votes": False}),
             "not json", ""]
    done = await imported(client, db, platform, "households", "\n".join(lines).encode())
    assert (done["format"], done["rows_total"], done["created"], done["failed"]) == ("jsonl", 3, 2, 1)
    row = await db.fetchrow("SELECT area_m2, votes FROM households WHERE street_id = $1 AND external_id = 'J2'",
                            platform.street_id)
    assert (str(row["area_m2"]), row["votes"]) == ("0.00", False)


async def test_bad_rows_fail_alone_and_their_errors_are_paged_and_localised(client, db, platform):
    await registry(client, db, platform)
    rows = ["external_id,building_external_id,unit_label,area_m2,votes",
            "E1,B1,201,50,true",      # 1 fine
            "E2,NOPE,202,50,true",    # 2 no such building
            "E3,B1,,abc,maybe",       # 3 three faults
            "E1,B1,203,50,true",      # 4 external id seen before
            "E5,B1,100,50,true",      # 5 H0's unit label in B1
            "E6,B2,204,0,true",       # 6 votes without an area
            "E7,B2,205,,false"]       # 7 fine: a non-voting unit without an area
    done = await imported(client, db, platform, "households", "\n".join(rows).encode())
    assert (done["rows_total"], done["created"], done["failed"], done["status"]) == (7, 2, 5, "succeeded")
    seen, cursor = [], None
    while True:
        page = await client.get(f"/v1/imports/{done['id']}/errors", headers=platform.headers(),
                                params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        seen += page.json()["data"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert [(e["row"], e["column"], e["code"]) for e in seen] == [
        (2, "building_external_id", "parent_not_found"), (3, "area_m2", "invalid_area"),
        (3, "unit_label", "required"), (3, "votes", "invalid_boolean"), (4, "external_id", "duplicate_in_file"),
        (5, "unit_label", "unit_label_taken"), (6, "area_m2", "area_required_to_vote")]
    assert seen[0]["message"] == "找不到该外部编号对应的上级（请先导入上级）"
    english = await client.get(f"/v1/imports/{done['id']}/errors", headers=platform.headers(**{"Accept-Language": "en"}))
    assert english.json()["data"][0]["message"].startswith("No parent has this external_id")


async def test_bad_files_get_clear_problems(client, db, platform):
    async def refused(kind: str, content: bytes, code: str, status: int = 422, **options) -> dict:
        answer = await post_import(client, platform, kind, content, **options)
        assert answer.status_code == status, answer.text
        assert answer.json()["code"] == code, answer.text
        return answer.json()
    problem = await refused("households", b"external_id,unit_label\nH1,101\n", "import_column_missing")
    assert "building_external_id" in problem["detail"]
    await refused("households", b"\xff\xfe\x00\x80\x81", "import_encoding_unknown")
    await refused("parcels", b"external_id\n1\n", "validation_failed", 400)
    await refused("households", b"", "import_file_empty")
    await refused("households", HOUSEHOLDS.encode(), "validation_failed", 400, mode="sync")
    no_file = await client.post("/v1/imports", json={"kind": "households"}, headers=platform.headers())
    assert no_file.status_code == 415


async def test_only_platform_clients_with_the_scope_import(client, db, platform, database_url):
    from tests.support.platform import new_street_client, sign_in
    reader = await sign_in(client, await new_street_client(database_url, scopes=frozenset({"street:read"})))
    answer = await post_import(client, reader, "communities", COMMUNITIES.encode())
    assert answer.status_code == 403 and answer.json()["code"] == "insufficient_scope"


async def test_an_import_is_another_streets_secret(client, db, platform, other_platform):
    started = await post_import(client, platform, "communities", COMMUNITIES.encode())
    assert started.status_code == 202
    assert (await client.get(started.headers["location"], headers=other_platform.headers())).status_code == 404


async def test_cancelling_stops_after_the_batch_in_flight(client, db, platform):
    started = await post_import(client, platform, "communities", COMMUNITIES.encode())
    job = started.json()
    assert (job["status"], job["rows_total"]) == ("queued", None)
    cancelled = await client.post(f"/v1/imports/{job['id']}/cancel", headers=platform.headers())
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    await run_import(db)
    assert await db.fetchval("SELECT count(*) FROM communities WHERE street_id = $1", platform.street_id) == 0
    finished = await imported(client, db, platform, "communities", COMMUNITIES.encode())
    again = await client.post(f"/v1/imports/{finished['id']}/cancel", headers=platform.headers())
    assert again.status_code == 409 and again.json()["code"] == "import_finished"
    completed = await db.fetch(
        "SELECT data FROM events WHERE street_id = $1 AND type = 'import.completed' ORDER BY seq", platform.street_id)
    assert [(e["data"]["status"], e["data"]["created"]) for e in completed] == [("cancelled", 0), ("succeeded", 2)]


async def test_row_events_name_the_import(client, db, platform):
    done = await imported(client, db, platform, "communities", COMMUNITIES.encode())
    events = await db.fetch("SELECT type, data FROM events WHERE street_id = $1 AND type = 'community.created'",
                            platform.street_id)
    assert len(events) == 2 and all(e["data"]["import_id"] == done["id"] for e in events)
    assert all("name" not in e["data"]["community"] for e in events)  # free text stays out of events


async def test_templates_name_each_column_in_both_languages(client, platform):
    answer = await client.get("/v1/imports/templates/households.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.content.decode("utf-8-sig").splitlines()[0].startswith("外部编号(external_id),楼栋外部编号(building_external_id)")
    residents = await client.get("/v1/imports/templates/residents.csv")
    assert residents.content.decode("utf-8-sig").splitlines()[0] == (
        "外部编号(external_id),住户外部编号(household_external_id),手机号(phone),身份(role),户主(head)")
    assert (await client.get("/v1/imports/templates/parcels.csv")).status_code == 404
