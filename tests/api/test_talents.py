"""The talent pool by HTTP (the community spec §9): consent to show one's talents, tags from
the fixed list and the street's extra ones, the community's list with masked names only,
leaders' invitations to a task or an activity and their answers — and erasure (``DELETE
/v1/me``) removing talents and invitations, anonymising sign-ups and keeping the leaderboard
opt-out off."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from domain.talents import CONSENT_VERSION
from tests.support.clock import business_now
from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


def _at(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def show(client, person, *, tags=("repair",), visible=True, version=CONSENT_VERSION):
    body = {"talents": [{"tag": tag, "description": "会修水电"} for tag in tags], "available_for": ["task"],
            "visible": visible}
    if version is not None:
        body["consent"] = {"version": version}
    return await client.put("/v1/me/talents", headers=person.headers(), json=body)


async def test_consent_tags_and_the_community_list(client, db, town):
    head, tenant, far, officer = (town.people[k] for k in ("head", "tenant", "far_resident", "officer"))
    empty = (await client.get("/v1/me/talents", headers=head.headers())).json()
    assert empty["talents"] == [] and not empty["visible"] and empty["consent"]["current_version"] == CONSENT_VERSION
    no_consent = await show(client, head, version=None)
    assert no_consent.status_code == 422 and no_consent.json()["code"] == "consent_required"
    old = await show(client, head, version="2020-01-01")
    assert old.status_code == 422 and old.json()["code"] == "consent_required"
    unknown = await show(client, head, tags=("书法班",))
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_talent_tag"
    settings = await client.patch("/v1/streets/settings", headers=officer.headers(),
                                  json={"extra_talent_tags": ["书法班"]})
    assert settings.status_code == 200, settings.text
    shown = await show(client, head, tags=("repair", "书法班"))
    assert shown.status_code == 200, shown.text
    assert shown.json()["visible"] and shown.json()["consent"]["version"] == CONSENT_VERSION
    assert shown.json()["consent"]["given_at"] and shown.json()["consent"]["withdrawn_at"] is None
    hidden_one = await show(client, tenant, tags=("cooking",), visible=False, version=None)
    assert hidden_one.status_code == 200 and not hidden_one.json()["visible"]

    url = f"/v1/communities/{town.community}/talents"
    listed = (await client.get(url, headers=tenant.headers())).json()["data"]
    assert [t["person_id"] for t in listed] == [head.person_id]
    assert listed[0]["display_name"] == "张*华"  # masked as in member lists
    text = str(listed)
    assert "张小华" not in text and "13800138000" not in text and "phone" not in listed[0]
    assert [t["person_id"] for t in (await client.get(f"{url}?tag=书法班", headers=tenant.headers())).json()["data"]] == [
        head.person_id]
    assert (await client.get(f"{url}?tag=music", headers=tenant.headers())).json()["data"] == []
    assert (await client.get(url, headers=far.headers())).status_code == 404

    withdrawn = await show(client, head, visible=False, version=None)
    assert withdrawn.status_code == 200 and withdrawn.json()["consent"]["withdrawn_at"]
    assert withdrawn.json()["consent"]["version"] is None
    assert (await client.get(url, headers=tenant.headers())).json()["data"] == []


async def test_invitations_to_a_task_and_an_activity(client, db, town):
    leader, head, tenant = town.people["leader"], town.people["head"], town.people["tenant"]
    assert (await show(client, head)).status_code == 200
    task = (await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(),
                              json={"title": "修楼道灯"})).json()
    starts = await business_now(db) + timedelta(days=2)
    activity = (await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json={
        "title": "义务维修日", "category": "volunteering", "starts_at": _at(starts),
        "ends_at": _at(starts + timedelta(hours=2))})).json()
    url = f"/v1/talents/{head.person_id}/invitations"
    refused = await client.post(url, headers=tenant.headers(), json={"task_id": task["id"], "message": "帮忙"})
    assert refused.status_code in (403, 404)
    both = await client.post(url, headers=leader.headers(), json={"task_id": task["id"], "activity_id": activity["id"]})
    assert both.status_code == 422 and both.json()["code"] == "invitation_target_required"
    neither = await client.post(url, headers=leader.headers(), json={"message": "x"})
    assert neither.status_code == 422 and neither.json()["code"] == "invitation_target_required"
    hidden = await client.post(f"/v1/talents/{tenant.person_id}/invitations", headers=leader.headers(),
                               json={"task_id": task["id"]})
    assert hidden.status_code == 404  # not a visible talent
    to_task = await client.post(url, headers=leader.headers(), json={"task_id": task["id"], "message": "请帮忙看看"})
    assert to_task.status_code == 201, to_task.text
    to_activity = await client.post(url, headers=leader.headers(), json={"activity_id": activity["id"]})
    assert to_activity.status_code == 201 and to_activity.json()["status"] == "pending"
    mine = (await client.get("/v1/me/invitations", headers=head.headers())).json()["data"]
    assert [i["id"] for i in mine] == [to_activity.json()["id"], to_task.json()["id"]]
    assert (await client.get("/v1/me/invitations", headers=tenant.headers())).json()["data"] == []
    answer = f"/v1/invitations/{to_task.json()['id']}/transitions"
    assert (await client.post(answer, headers=tenant.headers(), json={"to": "accepted"})).status_code == 404
    accepted = await client.post(answer, headers=head.headers(), json={"to": "accepted"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted" and accepted.json()["accepted_at"]
    again = await client.post(answer, headers=head.headers(), json={"to": "declined"})
    assert again.status_code == 409 and again.json()["code"] == "invitation_not_pending"
    declined = await client.post(f"/v1/invitations/{to_activity.json()['id']}/transitions", headers=head.headers(),
                                 json={"to": "declined"})
    assert declined.json()["status"] == "declined"
    pending = (await client.get("/v1/me/invitations?status=pending", headers=head.headers())).json()["data"]
    assert pending == []


async def test_erasure_removes_talents_invitations_and_anonymises_signups(client, db, town):
    leader, head = town.people["leader"], town.people["head"]
    assert (await show(client, head)).status_code == 200
    assert (await client.patch("/v1/me", headers=head.headers(), json={"show_on_leaderboard": True})).status_code == 200
    starts = await business_now(db) + timedelta(days=2)
    activity = (await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json={
        "title": "义务维修日", "category": "volunteering", "starts_at": _at(starts),
        "ends_at": _at(starts + timedelta(hours=2)), "capacity": 1})).json()
    await client.post(f"/v1/activities/{activity['id']}/transitions", headers=leader.headers(), json={"to": "published"})
    mine = (await client.post(f"/v1/activities/{activity['id']}/signups", headers=head.headers(), json={})).json()
    waiting = (await client.post(f"/v1/activities/{activity['id']}/signups", headers=town.people["tenant"].headers(),
                                 json={})).json()
    assert waiting["status"] == "waitlisted"
    invited = await client.post(f"/v1/talents/{head.person_id}/invitations", headers=leader.headers(),
                                json={"activity_id": activity["id"], "message": "请来帮忙"})
    assert invited.status_code == 201
    erased = await client.delete("/v1/me", headers=head.headers())
    assert erased.status_code in (200, 204), erased.text
    assert await db.fetchval("SELECT count(*) FROM talent_profiles WHERE person_id = $1", head.person_id) == 0
    assert await db.fetchval("SELECT count(*) FROM talent_invitations WHERE person_id = $1", head.person_id) == 0
    row = await db.fetchrow("SELECT person_id, status FROM activity_signups WHERE id = $1", mine["id"])
    assert row["person_id"] is None and row["status"] == "cancelled"
    promoted = await db.fetchval("SELECT status FROM activity_signups WHERE id = $1", waiting["id"])
    assert promoted == "confirmed"  # the erased person's seat went to the waiting list
    assert await db.fetchval("SELECT show_on_leaderboard FROM persons WHERE id = $1", head.person_id) is False


async def test_a_talents_description_is_checked_before_it_is_shown(client, db, platform, wechat):
    """Through the WeChat stand-in (marker words decide): a description neighbours will read is
    refused at once when risky or under review (scene 1), never saved."""
    from tests.support.wechat import register_miniprogram, sign_in_resident, unique_code

    resident = await sign_in_resident(client, await register_miniprogram(client, platform), unique_code("tal-"))
    body = {"talents": [{"tag": "repair", "description": "[risky] 代办证件"}], "available_for": ["task"],
            "visible": True, "consent": {"version": CONSENT_VERSION}}
    refused = await client.put("/v1/me/talents", headers=resident.headers(), json=body)
    assert refused.status_code == 422 and refused.json()["code"] == "content_rejected", refused.text
    assert await db.fetchval("SELECT count(*) FROM talent_profiles WHERE person_id = $1", resident.person_id) == 0
    body["talents"][0]["description"] = "水电小修"
    assert (await client.put("/v1/me/talents", headers=resident.headers(), json=body)).status_code == 200
