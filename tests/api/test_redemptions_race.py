"""Stock is never oversold and points never spent twice, through the running server (uvicorn,
a real process): 50 residents redeem the last 3 units at once — exactly 3 pending, 47 × 409
``out_of_stock``; one resident fires 12 redemptions whose points cover 5 — exactly 5 pending,
7 × 422 ``insufficient_points``. No 5xx; the ledger's balances stay the sums of its transfers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.people import join, new_person
from tests.support.points import assert_balances_are_sums, give
from tests.support.server import running_service
from tests.support.town import build_town

pytestmark = pytest.mark.slow
GENEROUS = "1000000/60"


async def _race(base_url: str, reward_id: str, people) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30,
                                 limits=httpx.Limits(max_connections=60)) as http:
        return await asyncio.gather(*(http.post(f"/v1/rewards/{reward_id}/redemptions", headers=p.headers())
                                      for p in people))


async def test_fifty_residents_three_units_and_one_resident_twelve_tries(client, db, test_settings, platform,
                                                                        database_url, redis_url, tmp_path):
    town = await build_town(db, test_settings, platform)
    staff = town.people["staff"]
    residents = []
    for i in range(50):
        resident = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id,
                                    nickname=f"居民{i}")
        await join(db, resident, town.household, role="family")
        await give(db, town.street_id, resident.person_id, 100)
        residents.append(resident)
    scarce = await client.post(f"/v1/communities/{town.community}/rewards", headers=staff.headers(),
                               json={"name": "电影票", "cost_points": 60, "stock": 3})
    plenty = await client.post(f"/v1/communities/{town.community}/rewards", headers=staff.headers(),
                               json={"name": "垃圾袋", "cost_points": 20, "stock": 100})
    spender = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id)
    await join(db, spender, town.neighbour_household)
    await give(db, town.street_id, spender.person_id, 100)
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "BILIN_RATE_LIMIT_CLIENT": GENEROUS,
           "BILIN_RATE_LIMIT_PERSON": GENEROUS, "BILIN_RATE_LIMIT_ANONYMOUS": GENEROUS}
    with running_service(env, log_path=tmp_path / "service.log") as base_url:
        units = await _race(base_url, scarce.json()["id"], residents)
        tries = await _race(base_url, plenty.json()["id"], [spender] * 12)
    for answers in (units, tries):
        assert not [a for a in answers if a.status_code >= 500], (tmp_path / "service.log").read_text()[-3000:]
    assert sorted(a.status_code for a in units) == [201] * 3 + [409] * 47
    assert {a.json()["code"] for a in units if a.status_code == 409} == {"out_of_stock"}
    assert sorted(a.status_code for a in tries) == [201] * 5 + [422] * 7
    assert {a.json()["code"] for a in tries if a.status_code == 422} == {"insufficient_points"}
    assert await db.fetchval("SELECT stock FROM rewards WHERE id = $1", scarce.json()["id"]) == 0
    assert await db.fetchval("SELECT count(*) FROM redemptions WHERE reward_id = $1 AND status = 'pending'",
                             scarce.json()["id"]) == 3
    account = await db.fetchrow("SELECT balance, held FROM ledger_accounts WHERE owner_id = $1", spender.person_id)
    assert (account["balance"], account["held"]) == (100, 100)
    await assert_balances_are_sums(db, town.street_id)
