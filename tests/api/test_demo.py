"""The demo data a newcomer meets: load it twice (idempotent), then make the README's first
requests — a platform token, the street's buildings, a resident signed in through the
demo mini-program who already lives in 嘉富苑 1 号楼, a vote open for days. The README's
requests themselves run in test_readme.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.db import init_connection
from usecases.clock import BusinessClock
from usecases.crypto import Sealer, digest
from usecases.demo import DEMO_SECRET, load_demo
from usecases.demo_activity import load_demo_activity
from usecases.demo_month import cast_demo_ballots, load_demo_month
from usecases.demo_people import load_for_juyuan
from usecases.demo_wechat import load_demo_miniprograms


async def load_everything(db, settings) -> None:
    async with db.acquire() as conn:
        await init_connection(conn)
        await load_demo(conn)
        loaded = await load_demo_miniprograms(conn, Sealer(settings.data_key_bytes))
        await load_for_juyuan(conn, next(appid for street, _, appid in loaded if street == "菊园新区"))
        now = await BusinessClock(enabled=True).now(conn)
        await load_demo_month(conn, now)
        await load_demo_activity(conn, client_id=next(c for street, c, _ in loaded if street == "菊园新区"))
        await cast_demo_ballots(conn, now)


@pytest.fixture
async def demo_clients_retired_afterwards(db):
    """Production refuses to start while a client has the development secret, and other tests
    of this process start the app in production configuration on the same database."""
    yield
    await db.execute("UPDATE clients SET disabled_at = clock_timestamp() WHERE secret_digest = $1",
                     digest(DEMO_SECRET))


@pytest.mark.usefixtures("demo_clients_retired_afterwards")
async def test_the_newcomers_first_requests(client, db, test_settings):
    await load_everything(db, test_settings)
    await load_everything(db, test_settings)  # a second run changes nothing
    assert await db.fetchval("SELECT count(*) FROM streets WHERE name = '菊园新区'") == 1
    assert await db.fetchval("SELECT count(*) FROM persons p JOIN wechat_identities w ON w.person_id = p.id "
                             "WHERE w.openid = 'openid-zhang'") == 1

    token = (await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": "cli_demo_juyuan", "client_secret": DEMO_SECRET})).json()
    buildings = (await client.get("/v1/buildings", params={"limit": 100},
                                  headers={"Authorization": f"Bearer {token['access_token']}"})).json()["data"]
    assert {b["compound_name"] for b in buildings} == {"嘉富苑", "嘉北小区"}
    assert all(b["counts"]["households"] == 24 for b in buildings)

    signed_in = await client.post("/v1/auth/token", json={
        "grant_type": "wechat_code", "client_id": "cli_demo_juyuan_mp", "code": "zhang"})
    assert signed_in.status_code == 200, signed_in.text
    me = (await client.get("/v1/me", headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"})).json()
    assert me["real_name"] == "张小华"
    assert [(m["unit_label"], m["head"]) for m in me["memberships"]] == [("1-101", True)]
    leader = await client.post("/v1/auth/token", json={
        "grant_type": "wechat_code", "client_id": "cli_demo_juyuan_mp", "code": "wang"})
    households = await client.get(f"/v1/buildings/{me['memberships'][0]['building_id']}/households",
                                  headers={"Authorization": f"Bearer {leader.json()['access_token']}"})
    assert households.status_code == 200 and len(households.json()["data"]) == 20

    resident = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    spaces = (await client.get("/v1/spaces", headers=resident)).json()["data"]
    assert {s["name"] for s in spaces} == {"1 号楼共享客厅", "嘉富社区议事厅"}
    building_id = me["memberships"][0]["building_id"]
    proposals = (await client.get(f"/v1/buildings/{building_id}/proposals", headers=resident)).json()["data"]
    assert sorted(p["stage"] for p in proposals) == [
        "closed", "collecting", "deliberating", "implementing", "voting"]
    # The vote is open now and for days yet, so the README's ballot works on any day.
    voting = next(p for p in proposals if p["stage"] == "voting")
    ballot = await client.put(f"/v1/proposals/{voting['id']}/ballot", headers=resident, json={"choice": "yes"})
    assert ballot.status_code == 200, ballot.text
    assert await db.fetchval("SELECT closes_at - now() > interval '3 days' FROM votes "
                             "WHERE subject_type = 'proposal' AND subject_id = $1", voting["id"])
    mine = (await client.get(f"/v1/buildings/{building_id}/reports", headers=resident)).json()["data"]
    assert sorted(r["status"] for r in mine) == ["in_progress", "submitted"]
    leader_tasks = (await client.get("/v1/me/tasks", headers={
        "Authorization": f"Bearer {leader.json()['access_token']}"})).json()["data"]
    assert [t["title"] for t in leader_tasks] == ["更换一楼楼道灯"]
    # Points and rewards: the leader's award, a partner unit's reward, a pending redemption.
    assert (await client.get("/v1/me/points", headers=resident)).json() == {"balance": 60, "held": 30, "available": 30}
    assert me["points_balance"] == 30
    redemptions = (await client.get("/v1/me/redemptions", headers=resident)).json()["data"]
    assert [r["status"] for r in redemptions] == ["pending"] and len(redemptions[0]["pickup_code"]) == 8
    catalogue = (await client.get(f"/v1/communities/{me['memberships'][0]['community_id']}/rewards",
                                  headers=resident)).json()["data"]
    assert {r["name"] for r in catalogue} == {"环保购物袋", "理发券"}
    # The building's convention is in force (version 1, adopted before Bilin), loaded once.
    convention = (await client.get(f"/v1/buildings/{building_id}/documents/convention", headers=resident)).json()
    assert convention["number"] == 1 and convention["text"].startswith("嘉富苑 1 号楼居民公约")
    versions = (await client.get(f"/v1/buildings/{building_id}/documents/convention/versions", headers=resident))
    assert len(versions.json()["data"]) == 1
    # The fund (usecases/demo_fund.py): the street's allocation, an adopted budget, a posted expense.
    community_id = me["memberships"][0]["community_id"]
    assert (await client.get(f"/v1/communities/{community_id}/fund", headers=resident)).json() == {
        "balance_fen": 1_872_000, "reserved_fen": 172_000, "available_fen": 1_700_000}
    budgeted = next(p for p in proposals if p["stage"] == "implementing")
    expenses = (await client.get(f"/v1/proposals/{budgeted['id']}/expenses", headers=resident)).json()["data"]
    assert [(e["status"], e["amount_fen"], len(e["approvals"])) for e in expenses] == [("posted", 128_000, 1)]


async def test_a_closed_demo_vote_is_replaced_by_an_open_one(client, db, test_settings):
    await load_everything(db, test_settings)
    building = await db.fetchval("SELECT id FROM buildings WHERE external_id = 'cli_demo_juyuan-c0-b0'")
    # As if the demo data had been loaded weeks ago: its vote has closed (and been tallied).
    await db.execute("UPDATE proposals SET stage = 'closed', outcome = 'rejected' "
                     "WHERE building_id = $1 AND stage = 'voting'", building)
    await load_everything(db, test_settings)
    await load_everything(db, test_settings)  # and only one is opened
    assert await db.fetchval("SELECT count(*) FROM proposals p JOIN votes v ON v.subject_id = p.id "
                             "WHERE p.building_id = $1 AND p.stage = 'voting' "
                             "AND v.closes_at > now() + interval '3 days'", building) == 1


@pytest.mark.usefixtures("demo_clients_retired_afterwards")
async def test_the_demo_streets_have_a_month_of_statistics(client, db, test_settings):
    await load_everything(db, test_settings)
    reports = await db.fetchval("SELECT count(*) FROM reports WHERE location = '（演示：近一月）'")
    await load_everything(db, test_settings)  # a second run adds no second month
    assert await db.fetchval("SELECT count(*) FROM reports WHERE location = '（演示：近一月）'") == reports > 0
    juyuan = await db.fetchval("SELECT id FROM streets WHERE name = '菊园新区'")
    vote = await db.fetchval(
        """SELECT v.id FROM votes v JOIN proposals p ON p.id = v.subject_id WHERE p.street_id = $1
            AND p.stage = 'voting'""", juyuan)
    assert await db.fetchval("SELECT count(*) FROM ballots WHERE vote_id = $1", vote) >= 3  # through the use case
    token = (await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": "cli_demo_wanli", "client_secret": DEMO_SECRET})).json()
    last = await db.fetchval("SELECT (clock_timestamp() AT TIME ZONE 'Asia/Shanghai')::date")
    got = await client.get("/v1/stats", headers={"Authorization": f"Bearer {token['access_token']}"},
                           params={"from": str(last - timedelta(days=31)), "to": str(last)})
    figures = got.json()["figures"]
    assert figures["reports"]["received"] > 0 and figures["reports"]["resolved"] > 0
    assert figures["tasks"]["done"] > 0 and figures["bookings"]["count"] > 0
    assert figures["participation_rate"]["numerator"] > 0 and figures["active_residents"] > 0
    assert figures["satisfaction_rate"]["denominator"] > 0
