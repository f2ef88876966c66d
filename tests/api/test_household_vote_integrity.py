"""A household's ballot belongs to the household: the issuer of an invite never redeems it,
members who joined after a vote opened cannot cast or change the household's ballot in it,
a new member is announced and visible to the head, and the household sees who cast each
version of its ballot."""

from __future__ import annotations

import pytest

from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.proposals import proposal_to_vote
from tests.support.town import build_town

pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def invite(client, issuer, household: str, **body) -> str:
    answer = await client.post(f"/v1/households/{household}/invites", headers=issuer.headers(),
                               json={"role": "owner", **body})
    assert answer.status_code == 201, answer.text
    return answer.json()["code"]


async def test_the_issuer_of_an_invite_never_redeems_it(client, db, town):
    leader = town.people["leader"]
    code = await invite(client, leader, town.household)
    own = await client.post("/v1/me/memberships", headers=leader.headers(), json={"invite_code": code})
    assert own.status_code == 422 and own.json()["code"] == "own_invite"
    assert await db.fetchval("SELECT count(*) FROM memberships WHERE household_id = $1 AND person_id = $2",
                             town.household, leader.person_id) == 0
    # the code is still good for the person it was meant for
    joined = await client.post("/v1/me/memberships", headers=town.people["stranger"].headers(),
                               json={"invite_code": code})
    assert joined.status_code == 201, joined.text


async def test_a_member_who_joined_after_the_vote_opened_cannot_touch_its_ballot(client, db, town):
    head, leader, stranger = town.people["head"], town.people["leader"], town.people["stranger"]
    early = await invite(client, head, town.household, role="family")
    await client.post("/v1/me/memberships", headers=town.people["neighbour"].headers(), json={"invite_code": early})
    proposal = await proposal_to_vote(client, head, leader, town.building, now=await business_now(db))
    url = f"/v1/proposals/{proposal['id']}/ballot"
    assert (await client.put(url, headers=head.headers(), json={"choice": "no"})).status_code == 200

    late = await invite(client, leader, town.household)  # an owner invite into the neighbour's home
    joined = await client.post("/v1/me/memberships", headers=stranger.headers(), json={"invite_code": late})
    assert joined.status_code == 201, joined.text
    for body in ({"choice": "yes"}, {"choice": "yes", "household_id": town.household}):
        changed = await client.put(url, headers=stranger.headers(), json=body)
        assert changed.status_code == 422 and changed.json()["code"] == "not_voter_at_opening", changed.text
    ballot = await db.fetchrow("SELECT choice, version, cast_by FROM ballots WHERE vote_id = (SELECT id FROM votes WHERE subject_type = 'proposal' AND subject_id = $1) AND household_id = $2",
                               proposal["id"], town.household)
    assert (ballot["choice"], ballot["version"], ballot["cast_by"]) == ("no", 1, head.person_id)

    # (c) the head sees the newcomer, with when they joined; the event names ids and codes only
    members = await client.get(f"/v1/households/{town.household}/members", headers=head.headers())
    assert members.status_code == 200, members.text
    rows = {m["membership_id"]: m for m in members.json()["data"]}
    newcomer = rows[joined.json()["id"]]
    assert newcomer["person_id"] == stranger.person_id and newcomer["joined_at"] and newcomer["role"] == "owner"
    assert len(rows) == 3
    assert (await client.get(f"/v1/households/{town.household}/members",
                             headers=town.people["tenant"].headers())).status_code == 404
    event = await db.fetchrow("SELECT data FROM events WHERE type = 'household.joined' AND data->>'membership_id' = $1",
                              joined.json()["id"])
    assert event is not None and set(event["data"]) == {"membership_id", "household_id", "person_id", "role", "head"}
    assert event["data"]["person_id"] == stranger.person_id and "路人" not in str(event["data"])


async def test_the_household_sees_who_cast_each_version_of_its_ballot(client, db, town):
    head, leader, tenant = town.people["head"], town.people["leader"], town.people["tenant"]
    co_owner = town.people["neighbour"]
    code = await invite(client, head, town.household)
    assert (await client.post("/v1/me/memberships", headers=co_owner.headers(),
                              json={"invite_code": code})).status_code == 201
    proposal = await proposal_to_vote(client, head, leader, town.building, now=await business_now(db), secret=True)
    url = f"/v1/proposals/{proposal['id']}/ballot"
    assert (await client.put(url, headers=head.headers(), json={"choice": "no"})).status_code == 200
    assert (await client.put(url, headers=co_owner.headers(),
                             json={"choice": "yes", "household_id": town.household})).status_code == 200
    history = await client.get(f"{url}/history?household_id={town.household}", headers=head.headers())
    assert history.status_code == 200, history.text
    versions = history.json()["data"]
    assert [(v["version"], v["cast_by"]["person_id"]) for v in versions] == [
        (2, co_owner.person_id), (1, head.person_id)]
    assert versions[0]["cast_by"]["display_name"] == "王*"  # masked, as members are shown
    assert all(v["choice"] is None for v in versions), "a secret choice is never shown"
    # only the household's own members read it: not a leader, not a neighbour
    for outsider in (leader, tenant, town.people["officer"]):
        answer = await client.get(f"{url}/history?household_id={town.household}", headers=outsider.headers())
        assert answer.status_code == 422 and answer.json()["code"] == "household_not_eligible", answer.text
