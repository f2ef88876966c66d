"""Which events make which subscription messages, for whom (docs/notifications.md): a task
assigned to a person, a booking approved (and its reminder 60 minutes before the start,
cancelled with the booking), a booking rejected, a vote opened. A report's "status changed"
message, exactly once, is in the resident's journey (tests/api/test_photo_journey.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.clock import business_now
from tests.support.notifications import deliver_notifications, subscribe_town
from tests.support.people import Person
from tests.support.proposals import proposal_to_vote
from tests.support.spaces import day_ahead, new_space, span
from tests.support.town import build_town
from usecases.crypto import Sealer

KINDS = ("task_assigned", "booking_approved", "booking_rejected", "booking_reminder", "report_status_changed")


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


@pytest.fixture
async def subscribed(client, db, town, platform):
    """Every person of the town has an openid at the town's mini-program and accepted each
    template twice."""
    return await subscribe_town(client, db, town, platform, KINDS)


async def _deliver(db, wechat, test_settings) -> None:
    await deliver_notifications(db, wechat.base_url, Sealer(test_settings.data_key_bytes))


async def _kinds(client, person: Person) -> list[tuple[str, str]]:
    listed = (await client.get("/v1/me/notifications", headers=person.headers())).json()["data"]
    return sorted((n["kind"], n["status"]) for n in listed)


async def test_a_task_assigned_to_a_person_tells_them(client, db, town, subscribed, wechat, test_settings):
    leader, tenant = town.people["leader"], town.people["tenant"]
    created = await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(), json={
        "title": "清理三楼楼道里堆放了很久的纸箱和旧家具等杂物", "assignee": {"type": "person", "id": tenant.person_id}})
    assert created.status_code == 201, created.text
    await _deliver(db, wechat, test_settings)
    sent = wechat.sent_messages(subscribed["tenant"])
    assert [m["template_id"] for m in sent] == ["tmpl-task_assigned"]
    assert sent[0]["data"]["thing1"]["value"] == "清理三楼楼道里堆放了很久的纸箱和旧家具…"  # 20 characters
    assert sent[0]["miniprogram_state"] == "trial"
    assert await _kinds(client, tenant) == [("task_assigned", "sent")]
    assert await _kinds(client, leader) == []


async def test_a_booking_approved_is_told_and_reminded_an_hour_before_unless_cancelled(
        client, db, town, subscribed, wechat, test_settings):
    head, leader = town.people["head"], town.people["leader"]
    space = await new_space(client, town, rules={"requires_approval": True})
    start = await day_ahead(db)
    ids = []
    for offset in (0, 3):
        booked = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=head.headers(),
                                   json={"attendees": 4, "purpose": "读书会", **span(start + timedelta(hours=offset), 60)})
        assert booked.status_code == 201, booked.text
        ids.append(booked.json()["id"])
    kept, rejected = ids
    for booking_id, status in ((kept, "confirmed"), (rejected, "rejected")):
        moved = await client.post(f"/v1/bookings/{booking_id}/transitions", headers=leader.headers(),
                                  json={"status": status})
        assert moved.status_code == 200, moved.text
    await _deliver(db, wechat, test_settings)
    assert sorted(m["template_id"] for m in wechat.sent_messages(subscribed["head"])) == [
        "tmpl-booking_approved", "tmpl-booking_rejected"]
    reminder = await db.fetchrow("SELECT status, due_at FROM notifications WHERE kind = 'booking_reminder' "
                                 "AND subject_id = $1", kept)
    assert reminder["status"] == "queued" and reminder["due_at"] == start - timedelta(minutes=60)

    await db.execute("UPDATE notifications SET due_at = now() - interval '1 second' "
                     "WHERE kind = 'booking_reminder' AND subject_id = $1", kept)  # an hour before the start
    await _deliver(db, wechat, test_settings)
    assert [m["template_id"] for m in wechat.sent_messages(subscribed["head"])].count("tmpl-booking_reminder") == 1

    again = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=head.headers(),
                              json={"attendees": 4, "purpose": "读书会", **span(start + timedelta(hours=6), 60)})
    booking_id = again.json()["id"]
    await client.post(f"/v1/bookings/{booking_id}/transitions", headers=leader.headers(), json={"status": "confirmed"})
    await _deliver(db, wechat, test_settings)
    await client.post(f"/v1/bookings/{booking_id}/transitions", headers=head.headers(), json={"status": "cancelled"})
    await _deliver(db, wechat, test_settings)
    assert await db.fetchval("SELECT outcome FROM notifications WHERE kind = 'booking_reminder' AND subject_id = $1",
                             booking_id) == "cancelled"


async def test_a_vote_opened_tells_every_voter_of_the_building(client, db, town, subscribed, wechat, test_settings,
                                                                platform):
    mapping = {"miniprogram_state": "formal", "templates": {
        "vote_opened": {"template_id": "tmpl-vote", "fields": {"thing1": "title", "time2": "time"}}}}
    put = await client.put(f"/v1/clients/{town.client_id}/message-templates", headers=platform.headers(),
                           json=mapping)
    assert put.status_code == 200, put.text
    for person in town.people.values():
        await client.post("/v1/me/subscriptions", headers=person.headers(), json={"results": {"tmpl-vote": "accept"}})
    head, leader = town.people["head"], town.people["leader"]
    proposal = await proposal_to_vote(client, head, leader, town.building, now=await business_now(db))
    await _deliver(db, wechat, test_settings)
    voters = {r["person_id"] for r in await db.fetch(
        "SELECT DISTINCT person_id FROM vote_voters vv JOIN votes v ON v.id = vv.vote_id WHERE v.subject_id = $1",
        proposal["id"])}
    told = {key for key, openid in subscribed.items()
            if any(m["template_id"] == "tmpl-vote" for m in wechat.sent_messages(openid))}
    assert told and told == {key for key, person in town.people.items() if person.person_id in voters}
    assert "neighbour" not in told  # another building
