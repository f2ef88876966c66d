"""Role grants take the spec's body (`{"person_id", "role"}`), and organisation members who
live outside the street join through a one-time organisation invite."""

from __future__ import annotations

import hashlib

import pytest

from tests.support.people import new_person
from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def test_grants_accept_the_role_named_by_the_spec(client, db, town):
    officer = town.people["officer"].headers()
    paths = {"building_leader": f"/v1/buildings/{town.building}/roles",
             "community_staff": f"/v1/communities/{town.community}/roles",
             "street_officer": "/v1/streets/roles"}
    for role, path in paths.items():
        granted = await client.post(path, headers=officer, json={"person_id": town.people["tenant"].person_id,
                                                                  "role": role})
        assert granted.status_code == 201, granted.text
        assert granted.json()["role"] == role
    # without `role` the path says which (as before)
    assert (await client.post(paths["building_leader"], headers=officer,
                              json={"person_id": town.people["neighbour"].person_id})).status_code == 201
    for role, path in paths.items():
        for other in set(paths) - {role} | {"organization_member"}:
            wrong = await client.post(path, headers=officer, json={"person_id": town.people["head"].person_id,
                                                                    "role": other})
            assert wrong.status_code == 422 and wrong.json()["code"] == "role_not_in_scope", (path, other, wrong.text)
    bogus = await client.post(paths["building_leader"], headers=officer,
                              json={"person_id": town.people["head"].person_id, "role": "mayor"})
    assert bogus.status_code == 400 and bogus.json()["errors"][0]["field"] == "body.role"
    assert await db.fetchval("SELECT count(*) FROM roles WHERE person_id = $1", town.people["head"].person_id) == 0


async def organisation(client, town, **extra) -> str:
    created = await client.post("/v1/organizations", headers=town.people["staff"].headers(),
                                json={"name": "嘉富物业", "kind": "property_company", "community_id": town.community,
                                      **extra})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def test_a_worker_from_elsewhere_joins_an_organisation_by_invite(client, db, test_settings, platform, town):
    organization_id = await organisation(client, town)
    # a worker of the property company: lives outside the street, no household or role in it
    worker = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id,
                              nickname="物业小刘")
    members = f"/v1/organizations/{organization_id}/members"
    wrong = await client.post(members, headers=town.people["staff"].headers(),
                              json={"person_id": town.people["tenant"].person_id, "role": "building_leader"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "role_not_in_scope"
    known = await client.post(members, headers=town.people["staff"].headers(),
                              json={"person_id": town.people["tenant"].person_id, "role": "organization_member"})
    assert known.status_code == 201, known.text
    direct = await client.post(members, headers=town.people["staff"].headers(), json={"person_id": worker.person_id})
    assert direct.status_code == 422 and direct.json()["code"] == "person_not_in_street"

    issued = await client.post(f"/v1/organizations/{organization_id}/member-invites",
                               headers=town.people["staff"].headers(), json={})
    assert issued.status_code == 201, issued.text
    invite = issued.json()
    assert invite["role"] == "organization_member"
    assert invite["scope"] == {"type": "organization", "id": organization_id} and invite["expires_at"]
    code = invite["code"]
    digest = hashlib.sha256(code.replace("-", "").encode()).digest()
    assert await db.fetchval("SELECT count(*) FROM role_invites WHERE code_digest = $1", digest) == 1
    assert code not in str(await db.fetch("SELECT * FROM role_invites WHERE id = $1", invite["id"]))

    own = await client.post("/v1/me/roles", headers=town.people["staff"].headers(), json={"invite_code": code})
    assert own.status_code == 422 and own.json()["code"] == "own_invite"
    redeemed = await client.post("/v1/me/roles", headers=worker.headers(), json={"invite_code": code.lower()})
    assert redeemed.status_code == 201, redeemed.text
    assert redeemed.json()["role"] == "organization_member"
    assert redeemed.json()["scope"] == {"type": "organization", "id": organization_id}
    row = await db.fetchrow("SELECT street_id, community_id FROM roles WHERE id = $1", redeemed.json()["id"])
    assert (row["street_id"], row["community_id"]) == (town.street_id, town.community)  # the street's row
    again = await client.post("/v1/me/roles", headers=town.people["stranger"].headers(), json={"invite_code": code})
    assert again.status_code == 422 and again.json()["code"] == "invalid_invite"
    assert (await client.get(f"/v1/organizations/{organization_id}", headers=worker.headers())).status_code == 200
    me = (await client.get("/v1/me", headers=worker.headers())).json()
    assert [r["role"] for r in me["roles"]] == ["organization_member"]


async def test_who_may_invite_into_an_organisation(client, platform, town):
    organization_id = await organisation(client, town)
    url = f"/v1/organizations/{organization_id}/member-invites"
    assert (await client.post(url, headers=town.people["leader"].headers(), json={})).status_code == 404
    assert (await client.post(url, headers=town.people["far_staff"].headers(), json={})).status_code == 404
    assert (await client.post(url, headers=town.people["officer"].headers(), json={})).status_code == 201
    assert (await client.post(url, headers=platform.headers(), json={})).status_code == 201
    # the community's role invites carry it too, for an organisation of that community
    through_community = await client.post(
        f"/v1/communities/{town.community}/role-invites", headers=town.people["staff"].headers(),
        json={"role": "organization_member", "scope": {"type": "organization", "id": organization_id}})
    assert through_community.status_code == 201, through_community.text
    other = await client.post(
        f"/v1/communities/{town.other_community}/role-invites", headers=town.people["officer"].headers(),
        json={"role": "organization_member", "scope": {"type": "organization", "id": organization_id}})
    assert other.status_code == 422 and other.json()["code"] == "invalid_role_scope"
