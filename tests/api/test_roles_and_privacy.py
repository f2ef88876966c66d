"""Roles on scopes, role invites, organisations, and what residents may see of each other."""

from __future__ import annotations

import pytest

from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def test_staff_make_a_building_leader_and_revoke_it(client, db, town):
    tenant = town.people["tenant"]
    granted = await client.post(f"/v1/buildings/{town.building}/roles", headers=town.people["staff"].headers(),
                                json={"person_id": tenant.person_id})
    assert granted.status_code == 201, granted.text
    assert granted.json()["scope"] == {"type": "building", "id": town.building}
    twice = await client.post(f"/v1/buildings/{town.building}/roles", headers=town.people["staff"].headers(),
                              json={"person_id": tenant.person_id})
    assert twice.status_code == 409 and twice.json()["code"] == "role_already_held"
    leaders = (await client.get(f"/v1/buildings/{town.building}/roles", headers=tenant.headers())).json()["data"]
    assert {r["person_id"] for r in leaders} == {tenant.person_id, town.people["leader"].person_id}
    households = await client.get(f"/v1/buildings/{town.building}/households", headers=tenant.headers())
    assert households.status_code == 200, "a new leader reads the building's households"
    revoked = await client.delete(f"/v1/roles/{granted.json()['id']}", headers=town.people["officer"].headers())
    assert revoked.status_code == 204
    assert (await client.get(f"/v1/buildings/{town.building}/households", headers=tenant.headers())).status_code == 403
    types = [r["type"] for r in await db.fetch(
        "SELECT type FROM events WHERE street_id = $1 AND type LIKE 'role.%' ORDER BY seq", town.street_id)]
    assert types == ["role.granted", "role.revoked"]


async def test_who_may_grant(client, town):
    def grant(granter: str, path: str, person: str = "tenant"):
        return client.post(path, headers=town.people[granter].headers(),
                           json={"person_id": town.people[person].person_id})

    building_roles = f"/v1/buildings/{town.building}/roles"
    assert (await grant("leader", building_roles)).status_code == 403  # leaders do not make leaders
    assert (await grant("far_staff", building_roles)).status_code == 404  # another community's building
    assert (await grant("head", building_roles)).status_code == 403
    assert (await grant("staff", f"/v1/communities/{town.community}/roles")).status_code == 403
    assert (await grant("officer", f"/v1/communities/{town.community}/roles")).status_code == 201
    assert (await grant("staff", "/v1/streets/roles")).status_code == 403
    assert (await grant("officer", "/v1/streets/roles", "neighbour")).status_code == 201
    unknown = await grant("officer", building_roles, "stranger")
    assert unknown.status_code == 422 and unknown.json()["code"] == "person_not_in_street"


async def test_role_invites_reach_people_not_yet_known(client, town):
    invite = await client.post(f"/v1/communities/{town.community}/role-invites",
                               headers=town.people["staff"].headers(),
                               json={"role": "building_leader", "scope": {"type": "building", "id": town.neighbour_building}})
    assert invite.status_code == 201, invite.text
    stranger = town.people["stranger"]
    redeemed = await client.post("/v1/me/roles", headers=stranger.headers(), json={"invite_code": invite.json()["code"]})
    assert redeemed.status_code == 201 and redeemed.json()["role"] == "building_leader"
    assert (await client.get(f"/v1/buildings/{town.neighbour_building}/households",
                             headers=stranger.headers())).status_code == 200
    wrong_scope = await client.post(f"/v1/communities/{town.community}/role-invites",
                                    headers=town.people["staff"].headers(),
                                    json={"role": "building_leader", "scope": {"type": "building", "id": town.far_building}})
    assert wrong_scope.status_code == 422 and wrong_scope.json()["code"] == "invalid_role_scope"
    too_high = await client.post(f"/v1/communities/{town.community}/role-invites",
                                 headers=town.people["staff"].headers(),
                                 json={"role": "community_staff", "scope": {"type": "community", "id": town.community}})
    assert too_high.status_code == 403


async def test_organisations_and_their_members(client, platform, town):
    created = await client.post("/v1/organizations", headers=town.people["staff"].headers(),
                                json={"name": "嘉富物业", "kind": "property_company", "community_id": town.community})
    assert created.status_code == 201, created.text
    organization_id = created.json()["id"]
    street_level = await client.post("/v1/organizations", headers=town.people["staff"].headers(),
                                     json={"name": "街道志愿者", "kind": "volunteer_team"})
    assert street_level.status_code == 403
    member = await client.post(f"/v1/organizations/{organization_id}/members", headers=town.people["staff"].headers(),
                               json={"person_id": town.people["tenant"].person_id})
    assert member.status_code == 201 and member.json()["scope"] == {"type": "organization", "id": organization_id}
    mine = await client.get(f"/v1/organizations/{organization_id}", headers=town.people["tenant"].headers())
    assert mine.status_code == 200
    assert (await client.get(f"/v1/organizations/{organization_id}",
                             headers=town.people["neighbour"].headers())).status_code == 404
    listed = (await client.get("/v1/organizations", headers=platform.headers(),
                               params={"kind": "property_company"})).json()["data"]
    assert [o["id"] for o in listed] == [organization_id]


async def test_residents_see_masked_names_and_never_phones(client, town):
    members = (await client.get(f"/v1/buildings/{town.building}/members",
                                headers=town.people["tenant"].headers())).json()["data"]
    by_unit = {m["unit_label"]: m for m in members}
    assert by_unit["1-101"]["display_name"] == "张*华"
    assert by_unit["1-102"]["display_name"] == "小李"  # no real name: the nickname
    for member in members:
        assert set(member) == {"membership_id", "display_name", "unit_label", "role", "head"}
    assert "13800138000" not in str(members) and "张小华" not in str(members)


async def test_leaders_see_ids_and_masked_phones_staff_may_reveal_and_are_audited(client, platform, town):
    leader_view = (await client.get(f"/v1/buildings/{town.building}/members",
                                    headers=town.people["leader"].headers())).json()["data"]
    head = next(m for m in leader_view if m["unit_label"] == "1-101")
    assert head["person_id"] == town.people["head"].person_id and head["phone"] == "138****8000"
    refused = await client.get(f"/v1/buildings/{town.building}/members", params={"reveal": "contact"},
                               headers=town.people["leader"].headers())
    assert refused.status_code == 403
    machine = await client.get(f"/v1/buildings/{town.building}/members", params={"reveal": "contact"},
                               headers=platform.headers())
    assert machine.status_code == 403
    revealed = await client.get(f"/v1/buildings/{town.building}/members", params={"reveal": "contact"},
                                headers=town.people["staff"].headers(**{"X-Request-Id": "audit-me-1"}))
    assert revealed.status_code == 200
    head = next(m for m in revealed.json()["data"] if m["unit_label"] == "1-101")
    assert head["phone"] == "13800138000" and head["real_name"] == "张小华"
    audit = (await client.get("/v1/audit", headers=platform.headers(),
                              params={"subject_id": town.people["head"].person_id})).json()["data"]
    assert len(audit) == 1
    assert audit[0]["actor"] == {"client_id": town.client_id, "person_id": town.people["staff"].person_id}
    assert audit[0]["fields"] == ["real_name", "phone"] and audit[0]["request_id"] == "audit-me-1"
    everyone = (await client.get("/v1/audit", headers=platform.headers())).json()["data"]
    assert len(everyone) == len(revealed.json()["data"]), "one entry per person whose data was read"
    assert (await client.get("/v1/audit", headers=town.people["staff"].headers())).status_code == 403
