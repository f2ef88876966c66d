"""Points by HTTP (the community spec §7, "Street settings"): the street's settings, a verified task
credits the ledger once, my points and transfers, leaders' awards within the daily cap (also
when two race), the opt-in leaderboard with masked names, and erasure forfeiting points."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from domain.errors import RuleViolation
from domain.permissions import Principal
from tests.support.clock import business_now
from tests.support.people import new_person
from tests.support.platform import new_street_client, sign_in
from tests.support.points import assert_balances_are_sums, give
from tests.support.town import build_town
from usecases import points


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def test_street_settings_read_and_changed_by_street_officers_with_etags(client, db, town, platform,
                                                                              database_url):
    officer, leader = town.people["officer"], town.people["leader"]
    read = await client.get("/v1/streets/settings", headers=officer.headers())
    assert read.status_code == 200, read.text
    assert read.json()["points_expiry"] == "none" and read.json()["fund_publicity_days"] == 3
    assert (await client.get("/v1/streets/settings", headers=leader.headers())).status_code == 403
    assert (await client.patch("/v1/streets/settings", headers=leader.headers(),
                               json={"award_cap_per_leader_per_day": 5})).status_code == 403
    stale = await client.patch("/v1/streets/settings", headers=officer.headers(**{"If-Match": '"stale"'}),
                               json={"award_cap_per_leader_per_day": 5})
    assert stale.status_code == 412
    every = {"points_expiry": "calendar_year", "points_expiry_grace_days": 30, "award_cap_per_leader_per_day": 40,
             "max_points_per_attendee": 20, "fund_two_approvers": True, "fund_street_signoff_above_fen": 500000,
             "fund_publicity_days": 5, "extra_talent_tags": ["书法", "维修", "书法"]}
    changed = await client.patch("/v1/streets/settings", json=every,
                                 headers=officer.headers(**{"If-Match": read.headers["etag"]}))
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**every, "extra_talent_tags": ["书法", "维修"], "updated_at": changed.json()["updated_at"]}
    assert await db.fetchval("SELECT count(*) FROM jobs WHERE kind = 'points.expire' AND street_id = $1",
                             town.street_id) == 1
    reader = await sign_in(client, await new_street_client(database_url, scopes=frozenset({"street:read"})))
    assert (await client.get("/v1/streets/settings", headers=reader.headers())).status_code == 200
    refused = await client.patch("/v1/streets/settings", headers=reader.headers(), json={"fund_publicity_days": 1})
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"
    assert (await client.get("/v1/streets/settings", headers=platform.headers())).json()["fund_publicity_days"] == 5


async def test_a_verified_task_credits_once_and_shows_on_me(client, db, town):
    head, leader = town.people["head"], town.people["leader"]
    created = await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(), json={
        "title": "清扫楼道", "assignee": {"type": "person", "id": head.person_id}, "points": 15})
    task = created.json()
    for person, to in ((head, "in_progress"), (head, "done"), (leader, "verified")):
        moved = await client.post(f"/v1/tasks/{task['id']}/transitions", headers=person.headers(), json={"to": to})
        assert moved.status_code == 200, moved.text
    assert (await client.get("/v1/me/points", headers=head.headers())).json() == {
        "balance": 15, "held": 0, "available": 15}
    assert (await client.get("/v1/me", headers=head.headers())).json()["points_balance"] == 15
    transfers = (await client.get("/v1/me/points/transfers", headers=head.headers())).json()["data"]
    assert [(t["delta"], t["reason"], t["source"], t["status"]) for t in transfers] == [
        (15, "task_verified", {"type": "task", "id": task["id"]}, "posted")]
    types = [r["type"] for r in await db.fetch("SELECT type FROM events WHERE street_id = $1 AND subject_id = $2",
                                               town.street_id, transfers[0]["id"])]
    assert types == ["points.credited"]
    await assert_balances_are_sums(db, town.street_id)


async def test_transfers_are_paged_newest_first_with_signed_deltas(client, db, town):
    head = town.people["head"]
    for amount in (5, 6, 7):
        await give(db, town.street_id, head.person_id, amount)
    first = (await client.get("/v1/me/points/transfers?limit=2", headers=head.headers())).json()
    assert [t["delta"] for t in first["data"]] == [7, 6] and first["next_cursor"]
    rest = (await client.get(f"/v1/me/points/transfers?limit=2&cursor={first['next_cursor']}",
                             headers=head.headers())).json()
    assert [t["delta"] for t in rest["data"]] == [5] and rest["next_cursor"] is None


async def test_awards_stay_within_the_leaders_daily_cap(client, db, town):
    leader, head, officer = town.people["leader"], town.people["head"], town.people["officer"]
    await client.patch("/v1/streets/settings", headers=officer.headers(), json={"award_cap_per_leader_per_day": 50})
    body = {"person_id": head.person_id, "amount": 30, "reason": "volunteer_hours", "note": "清扫楼道 2 小时"}
    awarded = await client.post("/v1/points/awards", headers=leader.headers(), json=body)
    assert awarded.status_code == 201, awarded.text
    assert awarded.json()["delta"] == 30 and awarded.json()["reason"] == "volunteer_hours"
    over = await client.post("/v1/points/awards", headers=leader.headers(), json=body)
    assert over.status_code == 422 and over.json()["code"] == "award_cap_reached"
    assert (await client.post("/v1/points/awards", headers=leader.headers(),
                              json={**body, "amount": 20})).status_code == 201
    # a leader awards only residents of what they lead; a resident awards no one
    far = {**body, "person_id": town.people["far_resident"].person_id, "amount": 1}
    assert (await client.post("/v1/points/awards", headers=town.people["staff"].headers(), json=far)).status_code == 403
    assert (await client.post("/v1/points/awards", headers=head.headers(),
                              json={**body, "person_id": town.people["tenant"].person_id})).status_code == 403
    assert (await client.post("/v1/points/awards", headers=leader.headers(),
                              json={**body, "person_id": leader.person_id, "amount": 1})).status_code == 403
    assert (await client.get("/v1/me/points", headers=head.headers())).json()["available"] == 50


async def test_the_leaderboard_shows_only_those_who_opted_in_with_masked_names(client, db, town, test_settings):
    head, tenant, leader = town.people["head"], town.people["tenant"], town.people["leader"]
    await give(db, town.street_id, head.person_id, 40)
    await give(db, town.street_id, tenant.person_id, 70)
    await give(db, town.street_id, leader.person_id, 10)
    url = f"/v1/buildings/{town.building}/points/leaderboard"
    assert (await client.get(url, headers=head.headers())).json() == {"period": "month", "data": []}
    assert (await client.get("/v1/me", headers=head.headers())).json()["show_on_leaderboard"] is False
    for person in (head, tenant):
        opted = await client.patch("/v1/me", headers=person.headers(), json={"show_on_leaderboard": True})
        assert opted.status_code == 200 and opted.json()["show_on_leaderboard"] is True
    for period in ("month", "year", "all"):
        board = (await client.get(f"{url}?period={period}", headers=leader.headers())).json()
        assert board["data"] == [{"rank": 1, "display_name": "小李", "points": 70},
                                 {"rank": 2, "display_name": "张*华", "points": 40}], board
        assert "phone" not in str(board) and "13800138000" not in str(board)
    assert (await client.get(url, headers=town.people["far_resident"].headers())).status_code == 404
    stranger = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id)
    assert (await client.get(url, headers=stranger.headers())).status_code == 404


async def test_erasure_forfeits_points_and_leaves_the_leaderboard(client, db, town):
    head, staff = town.people["head"], town.people["staff"]
    await give(db, town.street_id, head.person_id, 25)
    reward = (await client.post(f"/v1/communities/{town.community}/rewards", headers=staff.headers(),
                                json={"name": "雨伞", "cost_points": 10, "stock": 1})).json()
    held = await client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=head.headers())
    assert held.status_code == 201, held.text
    await client.patch("/v1/me", headers=head.headers(), json={"show_on_leaderboard": True})
    assert (await client.delete("/v1/me", headers=head.headers())).status_code == 204
    account = await db.fetchrow("SELECT balance, held FROM ledger_accounts WHERE owner_id = $1", head.person_id)
    assert (account["balance"], account["held"]) == (0, 0)
    moved = [(r["reason"], r["status"], r["amount"]) for r in await db.fetch(
        "SELECT t.reason, t.status, t.amount FROM ledger_transfers t JOIN ledger_accounts a "
        "ON a.id = t.debit_account_id WHERE a.owner_id = $1 ORDER BY t.created_at", head.person_id)]
    assert moved == [("redemption", "voided", 10), ("erasure", "posted", 25)]
    assert await db.fetchval("SELECT status FROM redemptions WHERE id = $1", held.json()["id"]) == "cancelled"
    assert await db.fetchval("SELECT stock FROM rewards WHERE id = $1", reward["id"]) == 1
    board = await client.get(f"/v1/buildings/{town.building}/points/leaderboard?period=all",
                             headers=town.people["leader"].headers())
    assert board.json()["data"] == []
    await assert_balances_are_sums(db, town.street_id)


async def test_statistics_count_points_issued_redeemed_and_expired(client, db, town):
    head, staff = town.people["head"], town.people["staff"]
    await give(db, town.street_id, head.person_id, 40)
    await give(db, town.street_id, town.people["tenant"].person_id, 15, reason="award")
    reward = (await client.post(f"/v1/communities/{town.community}/rewards", headers=staff.headers(),
                                json={"name": "雨伞", "cost_points": 10, "stock": 5})).json()
    for _ in range(2):
        redeemed = (await client.post(f"/v1/rewards/{reward['id']}/redemptions", headers=head.headers())).json()
    picked = await client.post(f"/v1/redemptions/{redeemed['id']}/transitions", headers=staff.headers(),
                               json={"to": "fulfilled", "pickup_code": redeemed["pickup_code"]})
    assert picked.status_code == 200, picked.text
    async with db.acquire() as conn:
        assert await points.statistics(conn, town.street_id) == points.Statistics(issued=55, redeemed=10, expired=0)


async def test_the_database_keeps_available_non_negative_and_each_source_credits_once(db, town):
    head = town.people["head"]
    await give(db, town.street_id, head.person_id, 10)
    async with db.acquire() as conn:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("UPDATE ledger_accounts SET held = balance + 1 WHERE owner_id = $1", head.person_id)
        async with conn.transaction():
            again = [await points.credit(conn, street_id=town.street_id, person_id=head.person_id, amount=5,
                                         reason="task_verified", source_type="task", source_id="tsk_once",
                                         at=await business_now(db)) for _ in range(2)]
    assert again[0] is not None and again[1] is None
    assert await db.fetchval("SELECT balance FROM ledger_accounts WHERE owner_id = $1", head.person_id) == 15
    await assert_balances_are_sums(db, town.street_id)


async def test_a_second_award_waits_for_the_first_and_then_sees_the_cap(client, db, town):
    """Two awards at once by one leader, 30 + 30 under a cap of 50: the second waits for the
    first to commit (the leader's awards are serialised) and is then refused."""
    leader, head, officer = town.people["leader"], town.people["head"], town.people["officer"]
    await client.patch("/v1/streets/settings", headers=officer.headers(), json={"award_cap_per_leader_per_day": 50})
    who = Principal(kind="person", client_id=town.client_id, street_id=town.street_id, person_id=leader.person_id)
    award = points.Award(person_id=head.person_id, amount=30)
    now = await business_now(db)
    async with db.acquire() as first, db.acquire() as second:
        first_tx = first.transaction()
        await first_tx.start()
        await points.award(first, who, award, now)
        second_pid = second.get_server_pid()

        async def second_award():
            async with second.transaction():
                return await points.award(second, who, award, now)

        racing = asyncio.create_task(second_award())
        while not racing.done() and not await db.fetchval(
                "SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted", second_pid):
            await asyncio.sleep(0.01)  # until the second is done or waits for a lock
        await first_tx.commit()
        with pytest.raises(RuleViolation) as refused:
            await racing
    assert refused.value.code == "award_cap_reached"
    assert (await client.get("/v1/me/points", headers=head.headers())).json()["balance"] == 30
