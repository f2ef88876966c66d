"""The signed-in person: profile, joining and leaving households, erasure."""

from __future__ import annotations

import pytest

from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def test_profile_shows_households_roles_and_a_masked_phone(client, town):
    head = (await client.get("/v1/me", headers=town.people["head"].headers())).json()
    assert head["real_name"] == "张小华"
    assert head["phone"] == "138****8000"
    assert [(m["household_id"], m["role"], m["head"]) for m in head["memberships"]] == [(town.household, "owner", True)]
    assert head["points_balance"] == 0
    leader = (await client.get("/v1/me", headers=town.people["leader"].headers())).json()
    assert [(r["role"], r["scope"]) for r in leader["roles"]] == [
        ("building_leader", {"type": "building", "id": town.building})]


async def test_profile_changes(client, town):
    headers = town.people["tenant"].headers()
    tag = (await client.get("/v1/me", headers=headers)).headers["etag"]
    changed = await client.patch("/v1/me", headers=headers, json={"nickname": "李老师 📚", "real_name": "李四"})
    assert changed.status_code == 200 and changed.json()["nickname"] == "李老师 📚"
    stale = await client.patch("/v1/me", headers={**headers, "If-Match": tag}, json={"nickname": "x"})
    assert stale.status_code == 412


async def test_platform_clients_have_no_me(client, platform):
    response = await client.get("/v1/me", headers=platform.headers())
    assert response.status_code == 403 and response.json()["code"] == "person_required"


async def test_invite_join_and_leave(client, db, town):
    invite = await client.post(f"/v1/households/{town.household}/invites", headers=town.people["head"].headers(),
                               json={"role": "family"})
    assert invite.status_code == 201, invite.text
    code = invite.json()["code"]
    assert len(code.replace("-", "")) >= 8
    stored = await db.fetchval("SELECT count(*) FROM household_invites WHERE code_digest = sha256($1::bytea)",
                               code.replace("-", "").encode())
    assert stored == 1, "invite codes are stored as digests only"

    stranger = town.people["stranger"].headers()
    joined = await client.post("/v1/me/memberships", headers=stranger, json={"invite_code": code.lower()})
    assert joined.status_code == 201, joined.text
    assert joined.json()["household_id"] == town.household and joined.json()["role"] == "family"
    again = await client.post("/v1/me/memberships", headers=town.people["tenant"].headers(), json={"invite_code": code})
    assert again.status_code == 422 and again.json()["code"] == "invalid_invite"  # one-time
    building = await client.get(f"/v1/buildings/{town.building}", headers=stranger)
    assert building.status_code == 200, "a member reads their building"
    events = await db.fetch("SELECT type FROM events WHERE street_id = $1 AND type LIKE 'household.%'", town.street_id)
    assert [e["type"] for e in events] == ["household.joined"]

    left = await client.delete(f"/v1/me/memberships/{joined.json()['id']}", headers=stranger)
    assert left.status_code == 204
    assert (await client.get(f"/v1/buildings/{town.building}", headers=stranger)).status_code == 404


async def test_who_may_invite(client, town):
    def invite(person: str, household: str, **body):
        return client.post(f"/v1/households/{household}/invites", headers=town.people[person].headers(),
                           json={"role": "owner", **body})

    assert (await invite("leader", town.household, head=True)).status_code == 201
    assert (await invite("head", town.household, head=True)).status_code == 403  # a head does not hand over
    assert (await invite("tenant", town.household)).status_code == 404  # not a member of that household
    assert (await invite("tenant", town.neighbour_household)).status_code == 403  # member, not head
    assert (await invite("far_staff", town.household)).status_code == 404
    assert (await invite("staff", town.household)).status_code == 201


async def test_a_head_invite_hands_the_headship_over(client, db, town):
    code = (await client.post(f"/v1/households/{town.household}/invites", headers=town.people["leader"].headers(),
                              json={"role": "owner", "head": True})).json()["code"]
    await client.post("/v1/me/memberships", headers=town.people["stranger"].headers(), json={"invite_code": code})
    heads = await db.fetch("SELECT person_id FROM memberships WHERE household_id = $1 AND head AND left_at IS NULL",
                           town.household)
    assert [h["person_id"] for h in heads] == [town.people["stranger"].person_id]


async def test_bad_codes(client, town):
    for code in ("", "AAAA-BBBB-CCCC", "not a code at all", "K7M2"):
        response = await client.post("/v1/me/memberships", headers=town.people["stranger"].headers(),
                                     json={"invite_code": code})
        assert response.status_code in (400, 422), code


async def test_erasure_keeps_acts_and_drops_personal_data(client, db, town):
    head = town.people["head"]
    assert (await client.delete("/v1/me", headers=head.headers())).status_code == 204
    person = await db.fetchrow("SELECT nickname, real_name, phone, erased_at FROM persons WHERE id = $1", head.person_id)
    assert person["nickname"] is None and person["real_name"] is None and person["phone"] is None
    assert person["erased_at"] is not None
    assert await db.fetchval("SELECT count(*) FROM memberships WHERE person_id = $1 AND left_at IS NULL",
                             head.person_id) == 0
    assert (await client.get("/v1/me", headers=head.headers())).status_code == 404
    members = (await client.get(f"/v1/buildings/{town.building}/members",
                                headers=town.people["leader"].headers())).json()["data"]
    assert head.person_id not in {m.get("person_id") for m in members}
