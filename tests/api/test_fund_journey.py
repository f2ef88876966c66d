"""A budget's journey by HTTP with the test clock (the community spec §13): the vote opens and
reserves the budget; adopted, two expenses are claimed — one rejected with a reason, the
other approved, objected to during its publicity period and posted by the due job once the
period has passed; the proposal closes and what is unspent is released. A vote not adopted
releases at once; a proposal that closes while an expense is in publicity releases the rest
when that expense is posted. Every resident of the community sees every entry, and the
figures stay the sums of the entries."""

from __future__ import annotations


import pytest

from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.due_jobs import run_due_jobs_of
from tests.support.fund import assert_figures_are_sums, budgeted, income, open_vote_body
from tests.support.points import assert_balances_are_sums
from tests.support.proposals import run_due_jobs
from tests.support.town import build_town
from usecases.fund_jobs import POST_JOB

pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def advance(client, seconds: int) -> None:
    moved = await client.post("/v1/test-clock", json={"advance_seconds": seconds})
    assert moved.status_code == 200, moved.text


async def decided(client, db, town, budget: int, choice: str) -> dict:
    """A budgeted proposal put to the vote, the head's household voting ``choice``, tallied."""
    head, leader = town.people["head"], town.people["leader"]
    proposal = await budgeted(client, head, leader, town.building, budget)
    opened = await client.post(f"/v1/proposals/{proposal['id']}/transitions", headers=leader.headers(),
                               json=open_vote_body(await business_now(db)))
    assert opened.status_code == 200, opened.text
    assert (await client.put(f"/v1/proposals/{proposal['id']}/ballot", headers=head.headers(),
                             json={"choice": choice})).status_code == 200
    await advance(client, 26 * 3600)
    assert await run_due_jobs(db) >= 1
    return (await client.get(f"/v1/proposals/{proposal['id']}", headers=head.headers())).json()


async def figures(client, town) -> tuple[int, int, int]:
    found = (await client.get(f"/v1/communities/{town.community}/fund", headers=town.people["head"].headers())).json()
    return found["balance_fen"], found["reserved_fen"], found["available_fen"]


async def test_a_budgets_journey_from_the_vote_to_the_release(client, db, town):
    staff, head, tenant, leader = (town.people[k] for k in ("staff", "head", "tenant", "leader"))
    await income(client, staff, town.community, 500_000)
    proposal = await decided(client, db, town, 300_000, "yes")
    assert proposal["stage"] == "implementing" and proposal["decision"]["outcome"] == "adopted"
    assert await figures(client, town) == (500_000, 300_000, 200_000)
    url = f"/v1/proposals/{proposal['id']}/expenses"

    rejected = (await client.post(url, headers=leader.headers(), json={"amount_fen": 100_000,
                                                                        "description": "宣传海报"})).json()
    moved = await client.post(f"/v1/expenses/{rejected['id']}/transitions", headers=staff.headers(),
                              json={"to": "rejected", "reason": "与议题无关"})
    assert moved.json()["status"] == "rejected"
    spent = (await client.post(url, headers=leader.headers(), json={"amount_fen": 250_000,
                                                                     "description": "感应灯 12 盏及安装"})).json()
    approved = (await client.post(f"/v1/expenses/{spent['id']}/approvals", headers=staff.headers())).json()
    assert approved["status"] == "publicity"
    objected = await client.post(f"/v1/expenses/{spent['id']}/objections", headers=tenant.headers(),
                                 json={"reason": "单价比网购贵"})
    assert objected.status_code == 201, objected.text
    await advance(client, 2 * 86400)
    await run_due_jobs_of(db, [POST_JOB])
    assert (await client.get(f"/v1/expenses/{spent['id']}", headers=head.headers())).json()["status"] == "publicity"
    assert await figures(client, town) == (500_000, 300_000, 200_000)  # nothing spent during publicity
    await advance(client, 86400 + 60)
    assert await run_due_jobs_of(db, [POST_JOB]) >= 1  # other tests' expenses of this database may be due too
    posted = (await client.get(f"/v1/expenses/{spent['id']}", headers=head.headers())).json()
    assert posted["status"] == "posted" and posted["posted_at"] and posted["entry_id"]
    assert await figures(client, town) == (250_000, 50_000, 200_000)

    # The proposal is evaluated and closed: the 50 000 fen left go back to the fund.
    for body in ({"to": "evaluating"}, {"to": "closed", "outcome": "adopted"}):
        done = await client.post(f"/v1/proposals/{proposal['id']}/transitions", headers=leader.headers(), json=body)
        assert done.status_code == 200, done.text
    assert await figures(client, town) == (250_000, 0, 250_000)
    for who in (head, tenant, town.people["neighbour"], leader, staff):
        entries = (await client.get(f"/v1/communities/{town.community}/fund/entries", headers=who.headers())).json()
        assert [(e["kind"], e["amount_fen"]) for e in entries["data"]] == [
            ("release", 50_000), ("expense", 250_000), ("reservation", 300_000), ("income", 500_000)]
        assert entries["data"][1]["id"] == posted["entry_id"] and entries["data"][1]["expense_id"] == spent["id"]
        assert {e["proposal_id"] for e in entries["data"][:3]} == {proposal["id"]}
    listed = (await client.get(url, headers=town.people["neighbour"].headers())).json()["data"]
    assert [(e["status"], e["rejection_reason"]) for e in listed] == [("posted", None), ("rejected", "与议题无关")]
    fund_events = [(r["type"], r["amount"]) for r in await db.fetch(
        "SELECT type, (data->>'amount_fen')::int AS amount FROM events WHERE street_id = $1 AND type LIKE 'fund.%' "
        "ORDER BY seq", town.street_id)]
    assert fund_events == [("fund.income_recorded", 500_000), ("fund.reserved", 300_000),
                           ("fund.expense_posted", 250_000), ("fund.released", 50_000)]
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'expense.objected' AND subject_id = $1",
                             spent["id"]) == 1
    await assert_figures_are_sums(client, head, town.community)
    await assert_balances_are_sums(db, town.street_id)


async def test_a_vote_not_adopted_releases_the_budget_at_once(client, db, town):
    await income(client, town.people["staff"], town.community, 100_000)
    proposal = await decided(client, db, town, 80_000, "no")
    assert proposal["stage"] == "closed" and proposal["outcome"] == "rejected"
    assert await figures(client, town) == (100_000, 0, 100_000)
    entries = (await client.get(f"/v1/communities/{town.community}/fund/entries",
                                headers=town.people["tenant"].headers(),
                                params={"proposal_id": proposal["id"]})).json()["data"]
    assert [(e["kind"], e["amount_fen"]) for e in entries] == [("release", 80_000), ("reservation", 80_000)]
    released = await db.fetchrow("SELECT data FROM events WHERE type = 'fund.released' AND street_id = $1",
                                 town.street_id)
    assert released["data"]["reason"] == "decision_rejected"
    expense = await client.post(f"/v1/proposals/{proposal['id']}/expenses", headers=town.people["leader"].headers(),
                                json={"amount_fen": 1, "description": "x"})
    assert expense.status_code == 409 and expense.json()["code"] == "wrong_stage"
    await assert_figures_are_sums(client, town.people["head"], town.community)
    await assert_balances_are_sums(db, town.street_id)


async def test_closing_while_an_expense_is_public_releases_the_rest_once_it_is_posted(client, db, town):
    staff, leader = town.people["staff"], town.people["leader"]
    await income(client, staff, town.community, 100_000)
    proposal = await decided(client, db, town, 100_000, "yes")
    expense = (await client.post(f"/v1/proposals/{proposal['id']}/expenses", headers=leader.headers(),
                                 json={"amount_fen": 70_000, "description": "材料"})).json()
    assert (await client.post(f"/v1/expenses/{expense['id']}/approvals", headers=staff.headers())).json()[
        "status"] == "publicity"
    for body in ({"to": "evaluating"}, {"to": "closed", "outcome": "adopted"}):
        assert (await client.post(f"/v1/proposals/{proposal['id']}/transitions", headers=leader.headers(),
                                  json=body)).status_code == 200
    assert await figures(client, town) == (100_000, 100_000, 0)  # the public claim still holds its share
    await advance(client, 3 * 86400 + 60)
    assert await run_due_jobs_of(db, [POST_JOB]) >= 1  # other tests' expenses of this database may be due too
    assert (await client.get(f"/v1/expenses/{expense['id']}", headers=leader.headers())).json()["status"] == "posted"
    assert await figures(client, town) == (30_000, 0, 30_000)
    await assert_figures_are_sums(client, town.people["head"], town.community)
    await assert_balances_are_sums(db, town.street_id)
