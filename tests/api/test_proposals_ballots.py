"""Secret ballots and receipts, households acting for several homes, multi-option votes, and
the vote closing by itself in a real worker process — also when it fell due while no worker
ran."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from tests.api.test_worker import eventually
from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.people import join
from tests.support.proposals import proposal_to_vote, run_due_jobs
from tests.support.town import build_town
from tests.support.worker import running_worker

pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def test_a_secret_choice_cannot_be_recovered_but_its_receipt_can_be_checked(client, db, town, platform):
    head, leader, tenant = town.people["head"], town.people["leader"], town.people["tenant"]
    proposal = await proposal_to_vote(client, head, leader, town.building, now=await business_now(db), secret=True)
    url = f"/v1/proposals/{proposal['id']}"
    cast = (await client.put(f"{url}/ballot", headers=head.headers(), json={"choice": "no"})).json()
    assert cast["secret"] and cast["choice"] is None and cast["receipt"] and cast["nonce"]
    await client.put(f"{url}/ballot", headers=leader.headers(), json={"choice": "yes"})
    callers = [head, leader, tenant, town.people["staff"], town.people["officer"], platform]

    async def every_read() -> list[str]:
        bodies = []
        for caller in callers:
            for path in ("", "/ballot", "/result", "/timeline", "/comments", "/options"):
                bodies.append((await client.get(f"{url}{path}", headers=caller.headers())).text)
        bodies.append((await client.get("/v1/events?limit=100", headers=platform.headers())).text)
        return bodies

    for body in await every_read():  # while open: no choice, no receipt, no counts anywhere
        assert cast["receipt"] not in body and cast["nonce"] not in body
        assert '"choice":"no"' not in body and '"choices":{' not in body
    await client.post("/v1/test-clock", json={"advance_seconds": 26 * 3600})
    await run_due_jobs(db)
    result = (await client.get(f"{url}/result", headers=tenant.headers())).json()
    assert result["choices"] == {"yes": 1, "no": 1, "abstain": 0}
    published = {r["receipt"]: r["choice"] for r in result["receipts"]}
    mine = hashlib.sha256(f"bilin-ballot\n{proposal['id']}\nno\n{cast['nonce']}".encode()).hexdigest()
    assert published[mine] == "no"  # the voter finds their ballot, counted as cast
    for body in await every_read():  # after close the receipt is listed, but nothing ties it to a household
        if cast["receipt"] in body:
            document = json.loads(body)
            assert set(document) >= {"receipts", "options"} and town.household not in body
    assert await db.fetchval("SELECT choice FROM ballots WHERE vote_id = (SELECT id FROM votes WHERE subject_type = 'proposal' AND subject_id = $1) AND household_id = $2",
                             proposal["id"], town.household) is None


async def test_several_households_need_household_id_and_options_are_chosen_from(client, db, town):
    head, leader = town.people["head"], town.people["leader"]
    await join(db, head, town.neighbour_household, role="owner")  # 张 owns a second flat in the building
    proposal = await proposal_to_vote(client, head, leader, town.building, now=await business_now(db), options=3,
                                      max_choices=2, rule="two_thirds")
    url = f"/v1/proposals/{proposal['id']}/ballot"
    options = (await client.get(f"/v1/proposals/{proposal['id']}/options", headers=head.headers())).json()["data"]
    ids = sorted(o["id"] for o in options)
    which = await client.put(url, headers=head.headers(), json={"option_ids": ids[:1]})
    assert which.status_code == 422 and which.json()["code"] == "household_required"
    for household in (town.household, town.neighbour_household):
        answer = await client.put(url, headers=head.headers(), json={"option_ids": ids[:2], "household_id": household})
        assert answer.status_code == 200 and answer.json()["option_ids"] == ids[:2]
    too_many = await client.put(url, headers=leader.headers(), json={"option_ids": ids})
    assert too_many.status_code == 422 and too_many.json()["code"] == "invalid_ballot"
    assert (await client.put(url, headers=leader.headers(), json={"option_ids": []})).status_code == 200
    mine = await client.get(f"{url}?household_id={town.neighbour_household}", headers=head.headers())
    assert mine.json()["household_id"] == town.neighbour_household and mine.json()["nonce"] is None
    await client.post("/v1/test-clock", json={"advance_seconds": 26 * 3600})
    await run_due_jobs(db)
    result = (await client.get(f"/v1/proposals/{proposal['id']}/result", headers=head.headers())).json()
    approvals = {o["option_id"]: o["approvals"] for o in result["options"]}
    assert approvals == {ids[0]: 2, ids[1]: 2, ids[2]: 0}  # 2 of 3 ballots each: a tie for first place
    assert result["outcome"] == "rejected" and result["winning_option_id"] is None
    closed = (await client.get(f"/v1/proposals/{proposal['id']}", headers=head.headers())).json()
    assert (closed["stage"], closed["outcome"]) == ("closed", "rejected")


@pytest.mark.slow
async def test_votes_close_by_themselves_also_when_due_while_the_worker_was_down(client, db, database_url, town,
                                                                                  tmp_path):
    head, leader = town.people["head"], town.people["leader"]
    now = await business_now(db)
    first = await proposal_to_vote(client, head, leader, town.building, now=now, hours=25)
    second = await proposal_to_vote(client, head, leader, town.building, now=now, hours=49)
    for proposal in (first, second):
        await client.put(f"/v1/proposals/{proposal['id']}/ballot", headers=head.headers(), json={"choice": "yes"})

    async def stage(proposal) -> str:
        return await db.fetchval("SELECT stage FROM proposals WHERE id = $1", proposal["id"])

    await client.post("/v1/test-clock", json={"advance_seconds": 26 * 3600})  # the first falls due; no worker runs
    assert await stage(first) == "voting"
    with running_worker(database_url, tmp_path / "worker.log"):
        await eventually(lambda: _is(stage(first), "implementing"), timeout=5)
        assert await stage(second) == "voting"  # never closed early
        await client.post("/v1/test-clock", json={"advance_seconds": 24 * 3600})
        await eventually(lambda: _is(stage(second), "implementing"), timeout=5)
    decided = await db.fetchval("SELECT decision FROM proposals WHERE id = $1", second["id"])
    assert decided == "adopted"
    assert now + timedelta(hours=49) <= await db.fetchval("SELECT decided_at FROM proposals WHERE id = $1",
                                                          second["id"])


async def _is(value, expected) -> bool:
    return (await value) == expected
