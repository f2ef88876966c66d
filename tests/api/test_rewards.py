"""Rewards and redemptions by HTTP (the community spec §7): catalogues, a redemption holds points and
a unit, fulfilment with the pickup code posts the hold, cancellation voids it and returns the
unit, the limit per person, too few points, and a pending redemption expiring by itself."""

from __future__ import annotations

import asyncio
import pytest

from tests.support.clock import clock  # noqa: F401 (a fixture)
from tests.support.due_jobs import run_due_jobs_of
from tests.support.points import assert_balances_are_sums, give
from tests.support.tasks import company
from tests.support.town import build_town
from usecases.rewards_jobs import EXPIRE_JOB


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def new_reward(client, town, *, community: bool = True, **fields):
    body = {"name": "环保购物袋", "description": "凭取件码领取", "cost_points": 30, "stock": 5, **fields}
    url = f"/v1/communities/{town.community}/rewards" if community else "/v1/streets/rewards"
    who = town.people["staff"] if community else town.people["officer"]
    created = await client.post(url, headers=who.headers(), json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def points_of(client, person) -> dict:
    return (await client.get("/v1/me/points", headers=person.headers())).json()


async def test_catalogues_and_who_manages_them(client, db, town, test_settings):
    head, staff = town.people["head"], town.people["staff"]
    reward = await new_reward(client, town)
    assert reward["hold_days"] == 14 and reward["active"] and reward["community_id"] == town.community
    assert (await client.post(f"/v1/communities/{town.community}/rewards", headers=head.headers(),
                              json={"name": "x", "cost_points": 1, "stock": 1})).status_code == 403
    listed = (await client.get(f"/v1/communities/{town.community}/rewards", headers=head.headers())).json()
    assert [r["id"] for r in listed["data"]] == [reward["id"]]
    street = await new_reward(client, town, community=False, limit_per_person=1)
    assert (await client.get("/v1/streets/rewards", headers=town.people["far_resident"].headers())).json()[
        "data"][0]["id"] == street["id"]
    assert (await client.get(f"/v1/communities/{town.community}/rewards",
                             headers=town.people["far_resident"].headers())).status_code == 404
    read = await client.get(f"/v1/rewards/{reward['id']}", headers=staff.headers())
    stale = await client.patch(f"/v1/rewards/{reward['id']}", headers=staff.headers(**{"If-Match": '"x"'}),
                               json={"active": False})
    assert stale.status_code == 412
    off = await client.patch(f"/v1/rewards/{reward['id']}", headers=staff.headers(**{"If-Match": read.headers["etag"]}),
                             json={"active": False, "stock": 9})
    assert off.status_code == 200 and off.json()["stock"] == 9 and not off.json()["active"]
    assert (await client.get(f"/v1/rewards/{reward['id']}", headers=head.headers())).status_code == 404
    bad = await client.post("/v1/streets/rewards", headers=town.people["officer"].headers(), json={
        "name": "x", "cost_points": 1, "stock": 1, "provider_organization_id": "org_0000000000000000"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_provider"


async def test_redeem_and_pick_up_with_the_code(client, db, town, test_settings):
    head = town.people["head"]
    org_id, provider = await company(db, test_settings, town, name="共建超市")
    reward = await new_reward(client, town, provider_organization_id=org_id, stock=2)
    await give(db, town.street_id, head.person_id, 50)
    redeemed = await client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=head.headers())
    assert redeemed.status_code == 201, redeemed.text
    redemption = redeemed.json()
    assert redemption["status"] == "pending" and 6 <= len(redemption["pickup_code"]) <= 8
    assert await points_of(client, head) == {"balance": 50, "held": 30, "available": 20}
    assert (await client.get("/v1/me", headers=head.headers())).json()["points_balance"] == 20
    assert (await client.get(f"/v1/rewards/{reward['id']}", headers=head.headers())).json()["stock"] == 1
    url = f"/v1/redemptions/{redemption['id']}/transitions"
    wrong = await client.post(url, headers=provider.headers(), json={"to": "fulfilled", "pickup_code": "ZZZZZZ"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "pickup_code_mismatch"
    assert (await client.post(url, headers=head.headers(), json={
        "to": "fulfilled", "pickup_code": redemption["pickup_code"]})).status_code == 403  # not by oneself
    assert (await client.post(url, headers=town.people["tenant"].headers(), json={"to": "cancelled"})).status_code == 404
    assert (await client.post(url, headers=provider.headers(), json={"to": "cancelled"})).status_code == 403
    done = await client.post(url, headers=provider.headers(), json={"to": "fulfilled",
                                                                    "pickup_code": redemption["pickup_code"]})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "fulfilled" and done.json()["pickup_code"] is None  # only its owner sees it
    assert await points_of(client, head) == {"balance": 20, "held": 0, "available": 20}
    again = await client.post(url, headers=head.headers(), json={"to": "cancelled"})
    assert again.status_code == 409 and again.json()["code"] == "redemption_not_pending"
    mine = (await client.get("/v1/me/redemptions", headers=head.headers())).json()["data"]
    assert [(r["id"], r["status"], r["pickup_code"]) for r in mine] == [
        (redemption["id"], "fulfilled", redemption["pickup_code"])]
    transfers = (await client.get("/v1/me/points/transfers", headers=head.headers())).json()["data"]
    assert [(t["delta"], t["reason"], t["status"]) for t in transfers] == [
        (-30, "redemption", "posted"), (50, "task_verified", "posted")]
    types = [r["type"] for r in await db.fetch("SELECT type FROM events WHERE subject_id = $1 ORDER BY seq",
                                               redemption["id"])]
    assert types == ["redemption.created", "redemption.fulfilled"]
    await assert_balances_are_sums(db, town.street_id)


async def test_cancel_returns_points_and_stock_and_limits_hold(client, db, town):
    head = town.people["head"]
    reward = await new_reward(client, town, stock=3, limit_per_person=1)
    await give(db, town.street_id, head.person_id, 100)
    first = (await client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=head.headers())).json()
    limited = await client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=head.headers())
    assert limited.status_code == 422 and limited.json()["code"] == "limit_per_person_reached"
    cancelled = await client.post(f"/v1/redemptions/{first['id']}/transitions", headers=head.headers(),
                                  json={"to": "cancelled"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert await points_of(client, head) == {"balance": 100, "held": 0, "available": 100}
    assert (await client.get(f"/v1/rewards/{reward['id']}", headers=head.headers())).json()["stock"] == 3
    assert (await client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=head.headers())).status_code == 201
    poor = town.people["tenant"]
    short = await client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=poor.headers())
    assert short.status_code == 422 and short.json()["code"] == "insufficient_points"
    assert (await client.get(f"/v1/rewards/{reward['id']}", headers=head.headers())).json()["stock"] == 2
    await assert_balances_are_sums(db, town.street_id)


async def test_concurrent_redemptions_spend_exactly_what_the_points_cover(client, db, town):
    """Ten at once by one person whose points cover four: exactly four pending, six refused."""
    head = town.people["head"]
    reward = await new_reward(client, town, stock=50, cost_points=25)
    await give(db, town.street_id, head.person_id, 110)
    answers = await asyncio.gather(*(client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=head.headers())
                                     for _ in range(10)))
    assert sorted(a.status_code for a in answers) == [201] * 4 + [422] * 6
    assert {a.json()["code"] for a in answers if a.status_code == 422} == {"insufficient_points"}
    assert await points_of(client, head) == {"balance": 110, "held": 100, "available": 10}
    assert (await client.get(f"/v1/rewards/{reward['id']}", headers=head.headers())).json()["stock"] == 46
    await assert_balances_are_sums(db, town.street_id)


@pytest.mark.xdist_group("clock")
@pytest.mark.usefixtures("clock")
async def test_a_pending_redemption_expires_by_itself_after_its_hold(client, db, town):
    head = town.people["head"]
    reward = await new_reward(client, town, stock=1, hold_days=2)
    await give(db, town.street_id, head.person_id, 30)
    redemption = (await client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=head.headers())).json()
    await run_due_jobs_of(db, [EXPIRE_JOB])
    assert (await points_of(client, head))["held"] == 30  # not yet
    moved = await client.post("/v1/test-clock", json={"advance_seconds": 2 * 86400 + 60})
    assert moved.status_code == 200, moved.text
    # Past its hold, before the job has run: no longer fulfillable.
    late = await client.post(f"/v1/redemptions/{redemption['id']}/transitions", headers=town.people["leader"].headers(),
                             json={"to": "fulfilled", "pickup_code": redemption["pickup_code"]})
    assert late.status_code == 409 and late.json()["code"] == "redemption_not_pending", late.text
    assert await run_due_jobs_of(db, [EXPIRE_JOB]) >= 1
    mine = (await client.get("/v1/me/redemptions", headers=head.headers())).json()["data"]
    assert mine[0]["id"] == redemption["id"] and mine[0]["status"] == "expired" and mine[0]["expired_at"]
    assert await points_of(client, head) == {"balance": 30, "held": 0, "available": 30}
    assert (await client.get(f"/v1/rewards/{reward['id']}", headers=head.headers())).json()["stock"] == 1
    await assert_balances_are_sums(db, town.street_id)
