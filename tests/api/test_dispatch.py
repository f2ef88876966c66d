"""Dispatch (派单) to many buildings in one request: a list of buildings, a community, or the
whole street; idempotent with a key; followed with ``source=dispatch&dispatch_id=``."""

from __future__ import annotations

import pytest

from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def dispatched(client, platform, path: str, body: dict, key: str | None = None) -> dict:
    headers = platform.headers(**({"Idempotency-Key": key} if key else {}))
    answer = await client.post(path, headers=headers, json={"title": "消防检查", **body})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def followed(client, platform, dispatch_id: str, path: str = "/v1/streets/tasks") -> list[dict]:
    answer = await client.get(path, headers=platform.headers(), params={"source": "dispatch", "dispatch_id": dispatch_id})
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


async def test_a_list_a_community_or_the_whole_street(client, town, platform):
    whole = await dispatched(client, platform, "/v1/streets/tasks", {})
    assert whole["count"] == 3  # the town's three buildings
    listed = await dispatched(client, platform, "/v1/streets/tasks",
                              {"building_ids": [town.building, town.far_building]})
    community = await dispatched(client, platform, "/v1/streets/tasks", {"community_id": town.community})
    by_path = await dispatched(client, platform, f"/v1/communities/{town.community}/tasks", {})
    for made in (whole, listed, community, by_path):
        tasks = await followed(client, platform, made["dispatch_id"])
        assert sorted(t["id"] for t in tasks) == sorted(made["task_ids"])
        assert {t["source_id"] for t in tasks} == {made["dispatch_id"]}
    assert sorted(t["building_id"] for t in await followed(client, platform, listed["dispatch_id"])) == \
        sorted([town.building, town.far_building])
    assert {t["community_id"] for t in await followed(client, platform, community["dispatch_id"])} == {town.community}
    in_building = await followed(client, platform, whole["dispatch_id"], f"/v1/buildings/{town.building}/tasks")
    assert len(in_building) == 1


async def test_a_retried_dispatch_creates_nothing_more(client, town, platform, db):
    first = await dispatched(client, platform, "/v1/streets/tasks", {"community_id": town.community}, key="dsp-1")
    again = await dispatched(client, platform, "/v1/streets/tasks", {"community_id": town.community}, key="dsp-1")
    assert again == first
    assert await db.fetchval("SELECT count(*) FROM tasks WHERE source_id = $1", first["dispatch_id"]) == 2


async def test_bad_dispatches_are_refused(client, town, platform, other_platform):
    async def refused(path: str, body: dict, code: str, status: int = 422, who=platform) -> None:
        answer = await client.post(path, headers=who.headers(), json={"title": "x", **body})
        assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    await refused("/v1/streets/tasks", {"building_ids": ["bld_0000000000000000"]}, "invalid_buildings")
    await refused(f"/v1/communities/{town.community}/tasks", {"building_ids": [town.far_building]},
                  "invalid_buildings")
    await refused(f"/v1/communities/{town.community}/tasks", {"community_id": town.other_community},
                  "invalid_buildings")
    await refused("/v1/streets/tasks", {"community_id": town.community}, "not_found", 404, who=other_platform)
    made = await dispatched(client, platform, "/v1/streets/tasks", {})
    other = await client.get("/v1/streets/tasks", headers=platform.headers(),
                             params={"source": "report", "dispatch_id": made["dispatch_id"]})
    assert (other.status_code, other.json()["data"]) == (200, [])  # a dispatch's tasks are of source dispatch
    resident = town.people["head"]
    assert (await client.get("/v1/streets/tasks", headers=resident.headers())).status_code == 403
