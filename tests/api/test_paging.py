"""Cursor paging: stable order, no skips or repeats while rows are inserted, sync order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


async def create_communities(client, platform, count: int, prefix: str = "c") -> list[str]:
    ids = []
    for index in range(count):
        response = await client.post("/v1/communities", headers=platform.headers(),
                                     json={"name": f"{prefix}{index}"})
        ids.append(response.json()["id"])
    return ids


async def walk(client, platform, path: str, limit: int, during=None, **params) -> list[dict]:
    seen, cursor = [], None
    while True:
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(path, headers=platform.headers(), params=query)).json()
        assert len(page["data"]) <= limit
        seen.extend(page["data"])
        if during:
            await during()
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


async def test_pages_neither_skip_nor_repeat_while_rows_are_inserted(client, platform):
    existing = await create_communities(client, platform, 23)
    counter = iter(range(1000))

    async def insert_two_more():
        await asyncio.gather(*[client.post("/v1/communities", headers=platform.headers(),
                                           json={"name": f"new{next(counter)}"}) for _ in range(2)])

    seen = await walk(client, platform, "/v1/communities", limit=5, during=insert_two_more)
    ids = [row["id"] for row in seen]
    assert len(ids) == len(set(ids)), "a row was repeated"
    assert set(existing) <= set(ids), "a row that existed before paging began was skipped"
    assert ids[: len(existing)] == list(reversed(existing)), "newest first"


async def test_updated_since_lists_changes_oldest_first_and_resumes(client, platform):
    ids = await create_communities(client, platform, 6)
    since = datetime.now(UTC) - timedelta(minutes=5)
    await client.patch(f"/v1/communities/{ids[0]}", headers=platform.headers(), json={"name": "改"})
    seen = await walk(client, platform, "/v1/communities", limit=4, updated_since=since.isoformat())
    stamps = [row["updated_at"] for row in seen]
    assert stamps == sorted(stamps)
    assert seen[-1]["id"] == ids[0], "the latest change comes last"
    later = (await client.get("/v1/communities", headers=platform.headers(),
                              params={"updated_since": seen[-1]["updated_at"]})).json()["data"]
    assert [row["id"] for row in later] == [ids[0]]


async def test_limits_and_cursors_are_validated(client, platform):
    await create_communities(client, platform, 3)
    for limit in (0, 101, "x"):
        response = await client.get("/v1/communities", headers=platform.headers(), params={"limit": limit})
        assert response.status_code == 400, limit
    bad = await client.get("/v1/communities", headers=platform.headers(), params={"cursor": "garbage!"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
    page = (await client.get("/v1/communities", headers=platform.headers(), params={"limit": 1})).json()
    mixed = await client.get("/v1/communities", headers=platform.headers(), params={
        "cursor": page["next_cursor"], "updated_since": "2020-01-01T00:00:00Z"})
    assert mixed.status_code == 400 and mixed.json()["code"] == "invalid_cursor"
    naive = await client.get("/v1/communities", headers=platform.headers(),
                             params={"updated_since": "2020-01-01T00:00:00"})
    assert naive.status_code == 400
    assert naive.json()["errors"][0]["field"] == "query.updated_since"


async def test_default_page_size_is_twenty(client, platform):
    await create_communities(client, platform, 21)
    page = (await client.get("/v1/communities", headers=platform.headers())).json()
    assert len(page["data"]) == 20 and page["next_cursor"]


async def test_updated_since_is_strict_rfc_3339(client, platform):
    await client.post("/v1/communities", headers=platform.headers(), json={"name": "一"})
    for bad in ("0.5", "1700000000", "2020-01-01", "2020-01-01T00:00:00", "0000-00-00T00:00:00Z"):
        response = await client.get("/v1/communities", headers=platform.headers(), params={"updated_since": bad})
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["field"] == "query.updated_since"
    for good in ("2020-01-01T00:00:00Z", "2020-01-01t08:00:00.5+08:00", "9999-12-31T23:59:59+05:00"):
        response = await client.get("/v1/communities", headers=platform.headers(), params={"updated_since": good})
        assert response.status_code == 200, (good, response.text)
    # valid times just past the representable range are clamped to its edge, not refused
    everything = await client.get("/v1/communities", headers=platform.headers(),
                                  params={"updated_since": "0001-01-01T00:00:00+01:00"})
    nothing = await client.get("/v1/communities", headers=platform.headers(),
                               params={"updated_since": "9999-12-31T23:59:59-05:00"})
    assert everything.status_code == nothing.status_code == 200
    assert len(everything.json()["data"]) == 1 and nothing.json()["data"] == []


async def test_wrong_body_types_are_refused_not_coerced(client, platform):
    created = await client.post("/v1/communities", headers=platform.headers(), json={"name": "x"})
    community_id = created.json()["id"]
    building = await client.post(f"/v1/communities/{community_id}/buildings", headers=platform.headers(),
                                 json={"name": "b", "floors": "6"})
    assert building.status_code == 400
    assert building.json()["errors"][0]["field"] == "body.floors"
    ok = await client.post(f"/v1/communities/{community_id}/buildings", headers=platform.headers(), json={"name": "b"})
    household = await client.post(f"/v1/buildings/{ok.json()['id']}/households", headers=platform.headers(),
                                  json={"unit_label": "1", "area_m2": 50, "votes": 0})
    assert household.status_code == 400
    assert household.json()["errors"][0] == {
        "field": "body.votes", "code": "wrong_type", "message": household.json()["errors"][0]["message"]}
