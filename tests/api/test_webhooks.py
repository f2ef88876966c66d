"""Webhook endpoints through the API, and deliveries to a real receiver on loopback, signed
as Standard Webhooks and verified with the independent `standardwebhooks` package.

The worker runs in-process here (the same code as `python -m service.cli worker`); the tests of
worker processes — SIGKILL, two workers, the schedule on the test clock — are in
test_worker.py."""

from __future__ import annotations

import asyncio
import json

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from domain.webhooks import Allowlist
from tests.support.platform import new_street_client, sign_in
from tests.support.production import production_client
from tests.support.receiver import Receiver
from tests.support.worker import only_this_street_delivers
from usecases.egress import EgressPolicy
from worker.http import Sender
from worker.main import Worker

# Endpoints of tests that deliver nothing point at a closed loopback port: a worker that later
# relays their street's events gets "connection refused" at once and never leaves the machine.
NOWHERE = "http://127.0.0.1:9/hooks"


@pytest.fixture
async def worker(test_settings, db, platform):
    await only_this_street_delivers(db, platform.street_id)
    worker = Worker(test_settings, name="in-process")
    task = asyncio.create_task(worker.run())
    yield worker
    worker.stop()
    await asyncio.wait_for(task, 20)


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


async def create_endpoint(client, platform, url: str, **fields) -> dict:
    response = await client.post("/v1/webhook-endpoints", headers=platform.headers(), json={"url": url, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def make_community(client, platform, name: str = "嘉富社区") -> dict:
    response = await client.post("/v1/communities", headers=platform.headers(), json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


async def deliveries_of(client, platform, endpoint_id: str, **params) -> list[dict]:
    response = await client.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries", headers=platform.headers(),
                                params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def wait_for_deliveries(client, platform, endpoint_id, condition, timeout: float = 10.0) -> list[dict]:
    for _ in range(int(timeout / 0.1)):
        found = await deliveries_of(client, platform, endpoint_id)
        if condition(found):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"deliveries never met the condition: {found}")


async def test_manage_an_endpoint_whose_secret_is_shown_once(client, db, platform):
    created = await client.post("/v1/webhook-endpoints", headers=platform.headers(), json={
        "url": NOWHERE, "description": "街道平台", "event_types": ["task.*"]})
    assert created.status_code == 201, created.text
    endpoint = created.json()
    assert endpoint["secret"].startswith("whsec_")
    assert created.headers["location"] == f"/v1/webhook-endpoints/{endpoint['id']}"
    assert created.headers["cache-control"] == "no-store"
    assert endpoint["enabled"] is True and endpoint["disabled_reason"] is None

    path = f"/v1/webhook-endpoints/{endpoint['id']}"
    read = await client.get(path, headers=platform.headers())
    assert "secret" not in read.json()
    assert read.headers["etag"] == created.headers["etag"]  # the tag of the endpoint, not of the secret
    listed = (await client.get("/v1/webhook-endpoints", headers=platform.headers())).json()
    assert [e["id"] for e in listed["data"]] == [endpoint["id"]] and "secret" not in listed["data"][0]

    stale = await client.patch(path, headers=platform.headers(**{"If-Match": '"stale"'}), json={"enabled": False})
    assert stale.status_code == 412
    changed = await client.patch(path, headers=platform.headers(**{"If-Match": read.headers["etag"]}),
                                 json={"event_types": ["proposal.created"], "enabled": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["event_types"] == ["proposal.created"]
    assert changed.json()["disabled_reason"] == "manual"
    enabled = await client.patch(path, headers=platform.headers(), json={"enabled": True})
    assert enabled.json()["enabled"] is True and enabled.json()["disabled_reason"] is None

    deleted = await client.delete(path, headers=platform.headers())
    assert deleted.status_code == 204
    assert (await client.get(path, headers=platform.headers())).status_code == 404
    assert (await client.delete(path, headers=platform.headers())).status_code == 404

    # Stored sealed, never in the clear, and no event carries it.
    sealed = await db.fetchval("SELECT secret_sealed FROM webhook_endpoints WHERE id = $1", endpoint["id"])
    assert endpoint["secret"].encode() not in sealed
    events = await db.fetch("SELECT type, data::text AS data FROM events WHERE street_id = $1 "
                            "AND subject_type = 'webhook_endpoint' ORDER BY seq", platform.street_id)
    assert [e["type"] for e in events] == ["webhook_endpoint.created", "webhook_endpoint.updated",
                                          "webhook_endpoint.updated", "webhook_endpoint.deleted"]
    assert not any("whsec_" in e["data"] or "secret_sealed" in e["data"] for e in events)


async def test_an_idempotent_replay_shows_the_same_secret_and_creates_nothing(client, db, platform):
    headers = platform.headers(**{"Idempotency-Key": "create-hook-1"})
    body = {"url": NOWHERE}
    first = await client.post("/v1/webhook-endpoints", headers=headers, json=body)
    again = await client.post("/v1/webhook-endpoints", headers=headers, json=body)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await db.fetchval("SELECT count(*) FROM webhook_endpoints WHERE street_id = $1", platform.street_id) == 1


async def test_other_streets_and_missing_scopes_see_nothing(client, database_url, platform, other_platform):
    endpoint = await create_endpoint(client, platform, NOWHERE)
    path = f"/v1/webhook-endpoints/{endpoint['id']}"
    for method, url in (("GET", path), ("PATCH", path), ("DELETE", path), ("GET", f"{path}/deliveries"),
                        ("POST", f"{path}/rotate-secret")):
        response = await client.request(method, url, headers=other_platform.headers(),
                                        json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, url, response.text)
    assert (await client.get("/v1/webhook-endpoints", headers=other_platform.headers())).json()["data"] == []
    reader = await sign_in(client, await new_street_client(database_url, scopes=frozenset({"street:read"})))
    refused = await client.get("/v1/webhook-endpoints", headers=reader.headers())
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    assert (await client.get("/v1/webhook-endpoints")).status_code == 401


async def test_a_street_has_at_most_twenty_endpoints(client, platform):
    for n in range(20):
        await create_endpoint(client, platform, f"{NOWHERE}/{n}", event_types=["none.created"])
    refused = await client.post("/v1/webhook-endpoints", headers=platform.headers(), json={"url": NOWHERE})
    assert refused.status_code == 422 and refused.json()["code"] == "too_many_webhook_endpoints"


@pytest.mark.parametrize("body", [
    {"url": "ftp://platform.example/hooks"}, {"url": "https://user:pw@platform.example/"},
    {"url": "not a url"}, {"url": "https://[::1]/hooks"}, {"url": "https://a.example/\n"},
    {"url": "https://a.example/", "event_types": ["Task.created"]},
    {"url": "https://a.example/", "event_types": ["task"]}, {"url": "https://a.example/", "extra": 1}])
async def test_bad_input_is_400(client, platform, body):
    response = await client.post("/v1/webhook-endpoints", headers=platform.headers(), json=body)
    assert response.status_code == 400, response.text


async def test_production_refuses_internal_destinations_unless_allowlisted(test_settings):
    async with production_client(test_settings, webhook_allowlist=("10.8.0.0/16", "hooks.intranet")) as production:
        client = production.client
        platform = await sign_in(client, await new_street_client(production.database_url))

        async def create(url: str):
            return await client.post("/v1/webhook-endpoints", headers=platform.headers(), json={"url": url})

        for url in ("https://127.0.0.1/hooks", "https://169.254.169.254/latest",
                    "https://10.9.0.1/hooks", "https://192.168.1.10/", "https://localhost/hooks",
                    "http://8.8.8.8/hooks"):  # the internet gets https
            refused = await create(url)
            assert refused.status_code == 422, (url, refused.text)
            assert refused.json()["code"] == "webhook_url_not_allowed"
        for url in ("https://8.8.8.8/hooks", "http://10.8.3.4:8080/hooks", "http://hooks.intranet/x"):
            assert (await create(url)).status_code == 201, url
        endpoint = (await client.get("/v1/webhook-endpoints", headers=platform.headers())).json()["data"][0]
        moved = await client.patch(f"/v1/webhook-endpoints/{endpoint['id']}", headers=platform.headers(),
                                   json={"url": "https://127.0.0.1/"})
        assert moved.status_code == 422
        for endpoint in (await client.get("/v1/webhook-endpoints", headers=platform.headers())).json()["data"]:
            # gone before any worker sees them: a test run never calls out to the internet
            assert (await client.delete(f"/v1/webhook-endpoints/{endpoint['id']}",
                                        headers=platform.headers())).status_code == 204


async def test_signed_deliveries_verify_with_standard_webhooks(client, platform, worker, receiver):
    endpoint = await create_endpoint(client, platform, f"{receiver.url}/hooks", event_types=["community.*"])
    community = await make_community(client, platform)
    await client.post(f"/v1/communities/{community['id']}/buildings", headers=platform.headers(),
                      json={"name": "1 号楼"})  # building.created: not asked for
    await client.patch(f"/v1/communities/{community['id']}", headers=platform.headers(), json={"name": "嘉北社区"})

    requests = await receiver.wait_for(lambda r: len(r) >= 2)
    await asyncio.sleep(0.3)  # nothing else arrives
    assert len(receiver.snapshot()) == 2
    feed = (await client.get("/v1/events", headers=platform.headers(), params={"types": "community.*"})).json()
    for request, event in zip(sorted(requests, key=lambda r: r.number), feed["data"]):
        assert request.path == "/hooks" and request.headers["content-type"] == "application/json"
        payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)  # raises if not valid
        assert payload == event  # the body is the event, exactly as the feed shows it
    assert [json.loads(r.body)["type"] for r in requests] == ["community.created", "community.updated"]
    delivered = await wait_for_deliveries(client, platform, endpoint["id"],
                                          lambda d: len(d) == 2 and all(x["status"] == "succeeded" for x in d))
    assert {d["id"] for d in delivered} == {r.webhook_id for r in requests}
    assert all(d["attempts"] == 1 and d["log"][0]["status_code"] == 204 for d in delivered)


async def test_a_rotated_secret_overlaps_with_the_old_one(client, platform, worker, receiver):
    endpoint = await create_endpoint(client, platform, f"{receiver.url}/hooks", event_types=["community.*"])
    old = endpoint["secret"]
    rotated = await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret", headers=platform.headers())
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != old and rotated.json()["previous_secret_expires_at"] is not None
    await make_community(client, platform)
    (request,) = await receiver.wait_for(lambda r: len(r) >= 1)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):  # a receiver that knows either one verifies
        Webhook(secret).verify(request.body, request.headers)

    # No overlap: from now on only the newest secret signs.
    newest = (await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret",
                                headers=platform.headers(), json={"overlap_seconds": 0})).json()["secret"]
    await make_community(client, platform, "嘉北社区")
    request = (await receiver.wait_for(lambda r: len(r) >= 2))[1]
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    Webhook(newest).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(request.body, request.headers)


async def test_failed_deliveries_are_listed_and_can_be_retried(client, platform, worker, receiver):
    receiver.answer(500)
    endpoint = await create_endpoint(client, platform, f"{receiver.url}/hooks", event_types=["community.created"])
    await make_community(client, platform)
    (delivery,) = await wait_for_deliveries(client, platform, endpoint["id"], lambda d: d and d[0]["attempts"] == 1)
    assert delivery["status"] == "pending" and delivery["last_status_code"] == 500
    assert delivery["last_error"] == "http_status" and delivery["next_attempt_at"] is not None
    assert await deliveries_of(client, platform, endpoint["id"], status="succeeded") == []

    receiver.answer(204)
    retried = await client.post(f"/v1/webhook-deliveries/{delivery['id']}/retry", headers=platform.headers())
    assert retried.status_code == 202, retried.text
    (done,) = await wait_for_deliveries(client, platform, endpoint["id"], lambda d: d[0]["status"] == "succeeded")
    assert done["attempts"] == 2 and [a["status_code"] for a in done["log"]] == [500, 204]
    assert {r.webhook_id for r in receiver.snapshot()} == {delivery["id"]}  # the same webhook-id each time

    await client.patch(f"/v1/webhook-endpoints/{endpoint['id']}", headers=platform.headers(), json={"enabled": False})
    refused = await client.post(f"/v1/webhook-deliveries/{delivery['id']}/retry", headers=platform.headers())
    assert refused.status_code == 409 and refused.json()["code"] == "webhook_endpoint_disabled"
    unknown = await client.post("/v1/webhook-deliveries/whd_0000000000000000/retry", headers=platform.headers())
    assert unknown.status_code == 404


async def test_disabling_cancels_waiting_deliveries(client, db, platform, receiver):
    """No worker here: the deliveries wait, and disabling the endpoint cancels them."""
    endpoint = await create_endpoint(client, platform, f"{receiver.url}/hooks")
    await make_community(client, platform)
    await client.get("/v1/events", headers=platform.headers())  # relays: the deliveries exist now
    waiting = await deliveries_of(client, platform, endpoint["id"])
    assert waiting and all(d["status"] == "pending" for d in waiting)
    await client.patch(f"/v1/webhook-endpoints/{endpoint['id']}", headers=platform.headers(), json={"enabled": False})
    cancelled = await deliveries_of(client, platform, endpoint["id"])
    assert {d["status"] for d in cancelled} == {"cancelled"}
    assert {d["last_error"] for d in cancelled} == {"endpoint_disabled"}


async def test_the_production_guard_holds_at_every_connection(receiver):
    """At delivery time too: the worker resolves the host itself, checks every address and
    connects to the address it checked, so a name that now points at loopback is refused."""
    port = receiver.url.rsplit(":", 1)[1]

    async def rebinding(host: str) -> list[str]:
        return ["8.8.8.8", "127.0.0.1"]

    async def loopback(host: str) -> list[str]:
        return ["127.0.0.1"]

    cases = [
        (EgressPolicy(guarded=True), receiver.url, "address_not_allowed"),
        (EgressPolicy(guarded=True, resolver=rebinding), f"http://rebind.example:{port}/", "address_not_allowed"),
        (EgressPolicy(guarded=True, allowlist=Allowlist.parse(["127.0.0.0/8"])), receiver.url, None),
        # The name resolves nowhere in DNS: only the checked address can have been dialled.
        (EgressPolicy(guarded=True, resolver=loopback, allowlist=Allowlist.parse(["127.0.0.1"])),
         f"http://intranet.invalid:{port}/", None),
    ]
    for policy, url, error in cases:
        sender = Sender(policy)
        try:
            answer = await sender.post(url, {"content-type": "application/json"}, b"{}")
        finally:
            await sender.close()
        assert answer.error == error, (url, answer)
    assert len(receiver.snapshot()) == 2  # the two allowed calls, nothing else


async def test_a_redirect_is_not_followed_but_failed(receiver):
    receiver.answer(307)
    sender = Sender(EgressPolicy(guarded=False))
    try:
        answer = await sender.post(receiver.url, {}, b"{}")
    finally:
        await sender.close()
    assert (answer.status_code, answer.error) == (307, "http_status") and len(receiver.snapshot()) == 1
