"""The fund is never overdrawn, through the running server (uvicorn, a real process): 20
budgeted proposals open their votes at once against a fund that covers 5 — exactly 5 open,
15 × 422 ``insufficient_fund``; 10 expenses race for the last of a reservation that covers 3
— exactly 3 claimed, 7 × 422 ``exceeds_reservation``. No 5xx; the fund's figures stay the
sums of its entries, and the ledger's balances the sums of its transfers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.clock import business_now
from tests.support.fund import assert_figures_are_sums, budgeted, income, open_vote_body
from tests.support.points import assert_balances_are_sums
from tests.support.server import running_service
from tests.support.town import build_town

pytestmark = pytest.mark.slow
GENEROUS = "1000000/60"


async def test_twenty_votes_against_a_fund_for_five_and_expenses_racing_for_the_last(
        client, db, test_settings, platform, database_url, redis_url, tmp_path):
    town = await build_town(db, test_settings, platform)
    staff, head, leader = town.people["staff"], town.people["head"], town.people["leader"]
    await income(client, staff, town.community, 500_000)
    proposals = [await budgeted(client, head, leader, town.building, 100_000) for _ in range(20)]
    # A separate building fund with one adopted proposal, for the expenses' race.
    await income(client, staff, town.community, 100_000, building_id=town.neighbour_building)
    spender = await budgeted(client, town.people["neighbour"], staff, town.neighbour_building, 100_000)
    now = await business_now(db)
    assert (await client.post(f"/v1/proposals/{spender['id']}/transitions", headers=staff.headers(),
                              json=open_vote_body(now))).status_code == 200
    await db.execute("UPDATE proposals SET stage = 'implementing', decision = 'adopted', implementing_at = now() "
                     "WHERE id = $1", spender["id"])
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "BILIN_RATE_LIMIT_CLIENT": GENEROUS,
           "BILIN_RATE_LIMIT_PERSON": GENEROUS, "BILIN_RATE_LIMIT_ANONYMOUS": GENEROUS}
    with running_service(env, log_path=tmp_path / "service.log") as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60,
                                     limits=httpx.Limits(max_connections=30)) as http:
            votes = await asyncio.gather(*(
                http.post(f"/v1/proposals/{p['id']}/transitions", headers=leader.headers(), json=open_vote_body(now))
                for p in proposals))
            claims = await asyncio.gather(*(
                http.post(f"/v1/proposals/{spender['id']}/expenses", headers=staff.headers(),
                          json={"amount_fen": 30_000, "description": f"材料 {i}"}) for i in range(10)))
    for answers in (votes, claims):
        assert not [a for a in answers if a.status_code >= 500], (tmp_path / "service.log").read_text()[-3000:]
    assert sorted(a.status_code for a in votes) == [200] * 5 + [422] * 15
    assert {a.json()["code"] for a in votes if a.status_code == 422} == {"insufficient_fund"}
    assert await db.fetchval("SELECT count(*) FROM proposals WHERE id = ANY($1::text[]) AND stage = 'voting'",
                             [p["id"] for p in proposals]) == 5
    assert sorted(a.status_code for a in claims) == [201] * 3 + [422] * 7
    assert {a.json()["code"] for a in claims if a.status_code == 422} == {"exceeds_reservation"}
    figures = await assert_figures_are_sums(client, head, town.community)
    assert figures == {"balance_fen": 500_000, "reserved_fen": 500_000, "available_fen": 0}
    await assert_figures_are_sums(client, head, town.community, building_id=town.neighbour_building)
    await assert_balances_are_sums(db, town.street_id)
