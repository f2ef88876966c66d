"""A resident's journey with points, over HTTP: signs up for an activity, checks in with the
organiser's token, earns its points, redeems a reward with them and picks it up — and
``GET /v1/me`` and ``GET /v1/me/points`` say so at every step."""

from __future__ import annotations

from datetime import UTC, timedelta

from tests.support.clock import business_now
from tests.support.points import assert_balances_are_sums
from tests.support.tasks import company
from tests.support.town import build_town


def _at(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def _points(client, person) -> tuple[int, dict]:
    me = (await client.get("/v1/me", headers=person.headers())).json()
    return me["points_balance"], (await client.get("/v1/me/points", headers=person.headers())).json()


async def test_sign_up_attend_earn_redeem_and_pick_up(client, db, test_settings, platform):
    town = await build_town(db, test_settings, platform)
    leader, head, staff = town.people["leader"], town.people["head"], town.people["staff"]
    org_id, provider = await company(db, test_settings, town, name="共建超市")
    starts = await business_now(db) + timedelta(minutes=10)
    activity = (await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json={
        "title": "楼道大扫除", "category": "volunteering", "starts_at": _at(starts),
        "ends_at": _at(starts + timedelta(hours=1)), "capacity": 20, "points_per_attendee": 40})).json()
    await client.post(f"/v1/activities/{activity['id']}/transitions", headers=leader.headers(), json={"to": "published"})
    signed = await client.post(f"/v1/activities/{activity['id']}/signups", headers=head.headers(), json={})
    assert signed.status_code == 201 and signed.json()["status"] == "confirmed"
    assert await _points(client, head) == (0, {"balance": 0, "held": 0, "available": 0})

    token = (await client.get(f"/v1/activities/{activity['id']}/checkin-token", headers=leader.headers())).json()
    checked = await client.post(f"/v1/activities/{activity['id']}/checkins", headers=head.headers(),
                                json={"token": token["token"]})
    assert checked.status_code == 200, checked.text
    assert await _points(client, head) == (40, {"balance": 40, "held": 0, "available": 40})
    mine = (await client.get("/v1/me/activities", headers=head.headers())).json()["data"]
    assert mine[0]["signup"]["attended_at"] and mine[0]["activity"]["title"] == "楼道大扫除"

    reward = (await client.post(f"/v1/communities/{town.community}/rewards", headers=staff.headers(), json={
        "name": "环保购物袋", "cost_points": 30, "stock": 5, "provider_organization_id": org_id})).json()
    redemption = (await client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=head.headers())).json()
    assert redemption["status"] == "pending"
    assert await _points(client, head) == (10, {"balance": 40, "held": 30, "available": 10})
    picked = await client.post(f"/v1/redemptions/{redemption['id']}/transitions", headers=provider.headers(),
                               json={"to": "fulfilled", "pickup_code": redemption["pickup_code"]})
    assert picked.status_code == 200 and picked.json()["status"] == "fulfilled"
    assert await _points(client, head) == (10, {"balance": 10, "held": 0, "available": 10})
    transfers = (await client.get("/v1/me/points/transfers", headers=head.headers())).json()["data"]
    assert [(t["delta"], t["reason"]) for t in transfers] == [(-30, "redemption"), (40, "activity_attended")]
    await assert_balances_are_sums(db, town.street_id)
