"""Quality.md "Reliability": 300 households vote at once (exact tally; a household voting
twice at once counts once), and supports crossing the threshold at once move the proposal
exactly once. The crowd is arranged in SQL; only the acts under test go over HTTP."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.people import grant, new_person
from tests.support.proposals import crowd, proposal_to_vote, run_due_jobs
from tests.support.town import build_town

pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def leader_of(db, test_settings, town, building_id):
    leader = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id)
    await grant(db, leader, "building_leader", building_id, street_id=town.street_id)
    return leader


async def test_300_households_voting_at_once_give_an_exact_tally(client, db, test_settings, town):
    building, voters = await crowd(db, test_settings, street_id=town.street_id, community_id=town.community,
                                   client_id=town.client_id, households=300)
    leader = await leader_of(db, test_settings, town, building)
    proposal = await proposal_to_vote(client, voters[0][1], leader, building, now=await business_now(db),
                                      rule="simple_majority")
    url = f"/v1/proposals/{proposal['id']}/ballot"
    choices = ["yes" if i % 3 else "no" for i in range(300)]
    twice = voters[7][1]  # this household also sends a second, different ballot at the same moment
    answers = await asyncio.gather(
        *[client.put(url, headers=person.headers(), json={"choice": choice})
          for (_, person), choice in zip(voters, choices)],
        client.put(url, headers=twice.headers(), json={"choice": "abstain"}))
    assert [a.status_code for a in answers] == [200] * 301, {a.text for a in answers if a.status_code != 200}
    assert await db.fetchval("SELECT count(*) FROM ballots WHERE vote_id = (SELECT id FROM votes WHERE subject_type = 'proposal' AND subject_id = $1)", proposal["id"]) == 300
    final_of_7 = await db.fetchval("SELECT choice FROM ballots WHERE vote_id = (SELECT id FROM votes WHERE subject_type = 'proposal' AND subject_id = $1) AND household_id = $2",
                                   proposal["id"], voters[7][0])
    await client.post("/v1/test-clock", json={"advance_seconds": 26 * 3600})
    await run_due_jobs(db)
    result = (await client.get(f"/v1/proposals/{proposal['id']}/result", headers=leader.headers())).json()
    choices[7] = final_of_7  # whichever of its two ballots came last is the one that counts
    expected = {c: choices.count(c) for c in ("yes", "no", "abstain")}
    assert result["choices"] == expected
    assert result["turnout"] == {"ballots": 300, "eligible_households": 300}
    assert result["participating"] == {"households": 300, "area_m2": "24000.00"}
    assert len(result["receipts"]) == 300 and result["outcome"] == "adopted"


async def test_supports_crossing_the_threshold_at_once_move_it_once(client, db, test_settings, town):
    building, residents = await crowd(db, test_settings, street_id=town.street_id, community_id=town.community,
                                      client_id=town.client_id, households=40)
    author = residents[0][1]
    proposal = (await client.post(f"/v1/buildings/{building}/proposals", headers=author.headers(),
                                  json={"title": "垃圾分类"})).json()
    assert proposal["support"]["threshold"] == 4  # 10 % of 40 voting households, more than 3
    url = f"/v1/proposals/{proposal['id']}/supports"
    answers = await asyncio.gather(*[client.post(url, headers=p.headers(), json={}) for _, p in residents[:12]])
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 4 + [409] * 8
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"wrong_stage"}
    changes = await db.fetch("SELECT data FROM events WHERE subject_id = $1 AND type = 'proposal.stage_changed'",
                             proposal["id"])
    assert [c["data"]["to"] for c in changes] == ["deliberating"]
    assert await db.fetchval("SELECT count(*) FROM proposal_timeline WHERE proposal_id = $1 AND to_stage = "
                             "'deliberating'", proposal["id"]) == 1
    assert await db.fetchval("SELECT support_count FROM proposals WHERE id = $1", proposal["id"]) == 4
