"""Idempotency-Key: replay, reuse, in-flight, and exactly one write under concurrency."""

from __future__ import annotations

import asyncio
import uuid


def key() -> str:
    return f"k-{uuid.uuid4()}"


async def count_communities(db, street_id: str) -> int:
    return await db.fetchval("SELECT count(*) FROM communities WHERE street_id = $1", street_id)


async def test_same_key_same_request_replays_the_first_response(client, db, platform):
    headers = platform.headers(**{"Idempotency-Key": key()})
    first = await client.post("/v1/communities", headers=headers, json={"name": "愉景华庭"})
    second = await client.post("/v1/communities", headers=headers, json={"name": "愉景华庭"})
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["location"] == first.headers["location"]
    assert await count_communities(db, platform.street_id) == 1
    events = await db.fetchval("SELECT count(*) FROM events WHERE street_id = $1 AND type = 'community.created'",
                               platform.street_id)
    assert events == 1


async def test_same_key_other_body_or_route_is_422(client, platform):
    k = key()
    assert (await client.post("/v1/communities", headers=platform.headers(**{"Idempotency-Key": k}),
                              json={"name": "a"})).status_code == 201
    other_body = await client.post("/v1/communities", headers=platform.headers(**{"Idempotency-Key": k}),
                                   json={"name": "b"})
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
    community_id = (await client.get("/v1/communities", headers=platform.headers())).json()["data"][0]["id"]
    other_route = await client.post(f"/v1/communities/{community_id}/buildings",
                                    headers=platform.headers(**{"Idempotency-Key": k}), json={"name": "a"})
    assert other_route.status_code == 422


async def test_keys_belong_to_their_caller(client, db, platform, other_platform):
    k = key()
    mine = await client.post("/v1/communities", headers=platform.headers(**{"Idempotency-Key": k}),
                             json={"name": "同名"})
    theirs = await client.post("/v1/communities", headers=other_platform.headers(**{"Idempotency-Key": k}),
                               json={"name": "同名"})
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]


async def test_a_failed_request_stores_nothing_and_can_be_retried(client, db, platform):
    k = key()
    taken = await client.post("/v1/communities", headers=platform.headers(), json={"name": "x", "external_id": "E1"})
    assert taken.status_code == 201
    failed = await client.post("/v1/communities", headers=platform.headers(**{"Idempotency-Key": k}),
                               json={"name": "y", "external_id": "E1"})
    assert failed.status_code == 409
    await client.patch(f"/v1/communities/{taken.json()['id']}", headers=platform.headers(),
                       json={"external_id": "E0"})
    retried = await client.post("/v1/communities", headers=platform.headers(**{"Idempotency-Key": k}),
                                json={"name": "y", "external_id": "E1"})
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers


async def test_twenty_concurrent_identical_requests_write_once(client, db, platform):
    headers = platform.headers(**{"Idempotency-Key": key()})
    responses = await asyncio.gather(*[
        client.post("/v1/communities", headers=headers, json={"name": "中环花苑"}) for _ in range(20)])
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in responses if r.status_code == 201]
    assert created, statuses
    assert len({r.json()["id"] for r in created}) == 1
    originals = [r for r in created if "idempotent-replayed" not in r.headers]
    assert len(originals) == 1
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["code"] == "idempotency_key_in_use"
    assert await count_communities(db, platform.street_id) == 1


async def test_invalid_keys_are_rejected(client, platform):
    for bad in ("", "x" * 256, "含中文".encode()):
        response = await client.post("/v1/communities", json={"name": "x"},
                                     headers={**platform.headers(), "Idempotency-Key": bad})
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid_idempotency_key"


async def test_stored_responses_are_sealed(client, db, platform):
    k = key()
    await client.post("/v1/communities", headers=platform.headers(**{"Idempotency-Key": k}),
                      json={"name": "密封测试"})
    sealed = await db.fetchval("SELECT body_sealed FROM idempotency_keys WHERE key = $1", k)
    assert sealed and "密封测试".encode() not in sealed


async def test_expired_keys_are_forgotten_by_maintenance(client, db, platform):
    from store.idempotency import delete_expired

    k = key()
    await client.post("/v1/communities", headers=platform.headers(**{"Idempotency-Key": k}), json={"name": "旧"})
    await db.execute("UPDATE idempotency_keys SET expires_at = clock_timestamp() - interval '1 second' WHERE key = $1", k)
    async with db.acquire() as conn:
        assert await delete_expired(conn, 1000) >= 1
    assert await db.fetchval("SELECT count(*) FROM idempotency_keys WHERE key = $1", k) == 0
    again = await client.post("/v1/communities", headers=platform.headers(**{"Idempotency-Key": k}), json={"name": "新"})
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
