"""Activities by HTTP (the community spec §8): drafts, publishing and cancelling, sign-ups with
companions and a waiting list, cancellation promoting the first waitlisted sign-up that fits,
attendance crediting points once, the rotating check-in token, the space's booking made, moved
and released with the activity, and an activity finishing by itself at its end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import activities as rules
from tests.support.clock import business_now, clock  # noqa: F401 (a fixture)
from tests.support.due_jobs import run_due_jobs_of
from tests.support.people import join, new_person
from tests.support.points import assert_balances_are_sums
from tests.support.spaces import day_ahead, new_space
from tests.support.tasks import company
from tests.support.town import build_town
from usecases.activities_jobs import FINISH_JOB


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


def at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def plan(client, town, starts: datetime, *, hours: int = 2, publish: bool = True, **fields) -> dict:
    body = {"title": "重阳节茶话会", "category": "elderly_care", "starts_at": at(starts),
            "ends_at": at(starts + timedelta(hours=hours)), "location": "活动室", **fields}
    leader = town.people["leader"]
    created = await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json=body)
    assert created.status_code == 201, created.text
    activity = created.json()
    assert activity["status"] == "draft"
    assert activity["organizer"] == fields.get("organizer", {"type": "person", "id": leader.person_id})
    if publish:
        moved = await client.post(f"/v1/activities/{activity['id']}/transitions", headers=leader.headers(),
                                  json={"to": "published"})
        assert moved.status_code == 200, moved.text
        activity = moved.json()
    return activity


async def sign_up(client, activity, person, companions: int = 0):
    return await client.post(f"/v1/activities/{activity['id']}/signups", headers=person.headers(),
                             json={"companions": companions})


async def test_drafts_publishing_and_who_sees_what(client, db, town):
    leader, head, far = town.people["leader"], town.people["head"], town.people["far_resident"]
    starts = await day_ahead(db, days=5)
    draft = await plan(client, town, starts, publish=False)
    assert (await client.get(f"/v1/activities/{draft['id']}", headers=head.headers())).status_code == 404
    listed = (await client.get(f"/v1/buildings/{town.building}/activities", headers=head.headers())).json()
    assert listed["data"] == []
    assert (await sign_up(client, draft, head)).json()["code"] == "not_found"
    refused = await client.post(f"/v1/buildings/{town.building}/activities", headers=head.headers(), json={
        "title": "x", "category": "other", "starts_at": at(starts), "ends_at": at(starts + timedelta(hours=1))})
    assert refused.status_code == 403
    too_many = await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json={
        "title": "x", "category": "other", "starts_at": at(starts), "ends_at": at(starts + timedelta(hours=1)),
        "points_per_attendee": 51})
    assert too_many.status_code == 422 and too_many.json()["code"] == "points_per_attendee_too_high"
    naive = await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json={
        "title": "x", "category": "other", "starts_at": "2026-12-10T10:00:00", "ends_at": "2026-12-10T11:00:00"})
    assert naive.status_code == 400  # a time needs its offset
    for starts_at, ends_at in (("1999-12-31T10:00:00Z", "1999-12-31T11:00:00Z"), (at(starts), at(starts))):
        period = await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json={
            "title": "x", "category": "other", "starts_at": starts_at, "ends_at": ends_at})
        assert period.status_code == 422 and period.json()["code"] == "invalid_period"
    for wrong, code in (({"organizer": {"type": "organization", "id": "org_0000000000000000"}}, "invalid_organizer"),
                        ({"space_id": "spc_0000000000000000"}, "invalid_space")):
        refused = await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json={
            "title": "x", "category": "other", "starts_at": at(starts), "ends_at": at(starts + timedelta(hours=1)),
            **wrong})
        assert refused.status_code == 422 and refused.json()["code"] == code
    read = await client.get(f"/v1/activities/{draft['id']}", headers=leader.headers())
    stale = await client.patch(f"/v1/activities/{draft['id']}", headers=leader.headers(**{"If-Match": '"x"'}),
                               json={"capacity": 3})
    assert stale.status_code == 412
    changed = await client.patch(f"/v1/activities/{draft['id']}",
                                 headers=leader.headers(**{"If-Match": read.headers["etag"]}),
                                 json={"capacity": 3, "points_per_attendee": 10})
    assert changed.status_code == 200 and changed.json()["capacity"] == 3
    over = await client.patch(f"/v1/activities/{draft['id']}", headers=leader.headers(),
                              json={"points_per_attendee": 500})
    assert over.status_code == 422 and over.json()["code"] == "points_per_attendee_too_high"
    published = await client.post(f"/v1/activities/{draft['id']}/transitions", headers=leader.headers(),
                                  json={"to": "published"})
    assert published.json()["status"] == "published" and published.json()["published_at"]
    again = await client.post(f"/v1/activities/{draft['id']}/transitions", headers=leader.headers(),
                              json={"to": "published"})
    assert again.status_code == 409 and again.json()["code"] == "wrong_activity_status"
    month = starts.strftime("%Y-%m")
    seen = (await client.get(f"/v1/buildings/{town.building}/activities?month={month}", headers=head.headers())).json()
    assert [a["id"] for a in seen["data"]] == [draft["id"]]
    other = (starts + timedelta(days=62)).strftime("%Y-%m")
    assert (await client.get(f"/v1/buildings/{town.building}/activities?month={other}",
                             headers=head.headers())).json()["data"] == []
    bad_month = await client.get(f"/v1/buildings/{town.building}/activities?month=2026-13", headers=head.headers())
    assert bad_month.status_code == 400
    assert (await client.get(f"/v1/activities/{draft['id']}", headers=far.headers())).status_code == 404
    community = await client.post(f"/v1/communities/{town.community}/activities", headers=town.people["staff"].headers(),
                                  json={"title": "社区运动会", "category": "sports", "starts_at": at(starts),
                                        "ends_at": at(starts + timedelta(hours=3))})
    assert community.status_code == 201 and community.json()["building_id"] is None
    assert (await client.post(f"/v1/communities/{town.community}/activities", headers=leader.headers(), json={
        "title": "x", "category": "other", "starts_at": at(starts),
        "ends_at": at(starts + timedelta(hours=1))})).status_code == 403


async def resident(db, test_settings, town, name: str):
    person = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id, nickname=name)
    await join(db, person, town.household, role="family")
    return person


async def test_seats_waiting_list_and_promotion(client, db, town, test_settings):
    leader, head, tenant = (town.people[k] for k in ("leader", "head", "tenant"))
    neighbour = await resident(db, test_settings, town, "小周")
    staff = town.people["staff"]
    activity = await plan(client, town, await day_ahead(db, days=4), capacity=3, cancel_before_minutes=60)
    first = await sign_up(client, activity, head, companions=1)
    assert first.status_code == 201 and first.json()["status"] == "confirmed" and first.json()["seats"] == 2
    twice = await sign_up(client, activity, head)
    assert twice.status_code == 409 and twice.json()["code"] == "already_signed_up"
    too_many = await sign_up(client, activity, tenant, companions=5)
    assert too_many.status_code == 400
    big = await sign_up(client, activity, tenant, companions=1)  # 2 seats do not fit the 1 left
    assert big.json()["status"] == "waitlisted" and big.json()["position"] == 1
    small = await sign_up(client, activity, staff)  # 1 seat fits
    assert small.json()["status"] == "confirmed"
    last = await sign_up(client, activity, neighbour)
    assert last.json()["status"] == "waitlisted" and last.json()["position"] == 2
    assert (await client.get(f"/v1/activities/{activity['id']}", headers=head.headers())).json()["seats_taken"] == 3
    # The head leaves: 2 seats free; the first waitlisted that fits (the tenant's 2) is promoted, only it.
    left = await client.delete(f"/v1/activities/{activity['id']}/signups/mine", headers=head.headers())
    assert left.status_code == 200 and left.json()["status"] == "cancelled"
    mine = (await client.get("/v1/me/activities", headers=tenant.headers())).json()["data"]
    assert mine[0]["signup"]["status"] == "confirmed" and mine[0]["signup"]["promoted_at"]
    assert mine[0]["activity"]["id"] == activity["id"]
    waiting = (await client.get("/v1/me/activities", headers=neighbour.headers())).json()["data"][0]["signup"]
    assert waiting["status"] == "waitlisted" and waiting["position"] == 1
    repeated = await client.delete(f"/v1/activities/{activity['id']}/signups/mine", headers=head.headers())
    assert repeated.status_code == 200 and repeated.json() == left.json()  # idempotent: nothing changes
    never = await client.delete(f"/v1/activities/{activity['id']}/signups/mine", headers=leader.headers())
    assert never.status_code == 404
    listed = await client.get(f"/v1/activities/{activity['id']}/signups?status=confirmed", headers=leader.headers())
    assert sorted(s["person_id"] for s in listed.json()["data"]) == sorted([tenant.person_id, staff.person_id])
    assert (await client.get(f"/v1/activities/{activity['id']}/signups",
                             headers=tenant.headers())).status_code == 403
    types = [r["type"] for r in await db.fetch(
        "SELECT type FROM events WHERE data->>'activity_id' = $1 ORDER BY seq", activity["id"])]
    assert types.count("activity_signup.created") == 4 and types.count("activity_signup.promoted") == 1
    assert types.count("activity_signup.cancelled") == 1
    smaller = await client.patch(f"/v1/activities/{activity['id']}", headers=leader.headers(), json={"capacity": 2})
    assert smaller.status_code == 422 and smaller.json()["code"] == "capacity_below_confirmed"
    bigger = await client.patch(f"/v1/activities/{activity['id']}", headers=leader.headers(), json={"capacity": 4})
    assert bigger.status_code == 200 and bigger.json()["seats_taken"] == 4  # the neighbour is promoted
    again = await sign_up(client, activity, head)  # after cancelling, one may sign up again
    assert again.status_code == 201 and again.json()["status"] == "waitlisted"


async def test_signup_window_and_cancel_deadline(client, db, town):
    head, tenant = town.people["head"], town.people["tenant"]
    now = await business_now(db)
    starts = await day_ahead(db, days=6)
    later = await plan(client, town, starts, signup_opens_at=at(now + timedelta(days=1)))
    early = await sign_up(client, later, head)
    assert early.status_code == 409 and early.json()["code"] == "signup_closed"
    closed = await plan(client, town, starts, signup_closes_at=at(now - timedelta(hours=1)))
    assert (await sign_up(client, closed, head)).json()["code"] == "signup_closed"
    tight = await plan(client, town, starts, cancel_before_minutes=7 * 24 * 60)  # the deadline passed
    assert (await sign_up(client, tight, tenant)).status_code == 201
    late = await client.delete(f"/v1/activities/{tight['id']}/signups/mine", headers=tenant.headers())
    assert late.status_code == 422 and late.json()["code"] == "cancel_too_late"


async def test_cancelling_an_activity_cancels_every_signup(client, db, town):
    leader, head, tenant = town.people["leader"], town.people["head"], town.people["tenant"]
    activity = await plan(client, town, await day_ahead(db, days=3), capacity=1)
    await sign_up(client, activity, head)
    await sign_up(client, activity, tenant)
    url = f"/v1/activities/{activity['id']}/transitions"
    no_reason = await client.post(url, headers=leader.headers(), json={"to": "cancelled"})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "transition_reason_required"
    assert (await client.post(url, headers=head.headers(), json={"to": "cancelled", "reason": "x"})).status_code == 403
    cancelled = await client.post(url, headers=leader.headers(), json={"to": "cancelled", "reason": "大雨"})
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "大雨" and body["seats_taken"] == 0
    statuses = await db.fetch("SELECT status FROM activity_signups WHERE activity_id = $1", activity["id"])
    assert [r["status"] for r in statuses] == ["cancelled", "cancelled"]
    events = await db.fetch("SELECT type, data FROM events WHERE type = 'activity_signup.cancelled' "
                            "AND data->>'activity_id' = $1", activity["id"])
    assert len(events) == 2
    assert (await client.patch(f"/v1/activities/{activity['id']}", headers=leader.headers(),
                               json={"title": "新"})).json()["code"] == "wrong_activity_status"


@pytest.mark.xdist_group("clock")
@pytest.mark.usefixtures("clock")
async def test_attendance_credits_once_and_the_activity_finishes_by_itself(client, db, town):
    leader, head, tenant = town.people["leader"], town.people["head"], town.people["tenant"]
    now = await business_now(db)
    activity = await plan(client, town, now + timedelta(hours=2), points_per_attendee=20)
    signup = (await sign_up(client, activity, head, companions=2)).json()
    waiting_activity = await plan(client, town, now + timedelta(hours=2), capacity=1)
    await sign_up(client, waiting_activity, head)
    assert (await sign_up(client, waiting_activity, tenant)).json()["status"] == "waitlisted"
    url = f"/v1/activities/{activity['id']}/attendances"
    early = await client.post(url, headers=leader.headers(), json={"signup_id": signup["id"]})
    assert early.status_code == 409 and early.json()["code"] == "attendance_closed"
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 2 * 3600 - 600})).status_code == 200
    assert (await client.post(url, headers=head.headers(), json={"signup_id": signup["id"]})).status_code == 403
    for _ in range(2):  # twice: points once
        done = await client.post(url, headers=leader.headers(), json={"signup_id": signup["id"]})
        assert done.status_code == 200, done.text
        assert done.json()["attended_at"]
    points = (await client.get("/v1/me/points", headers=head.headers())).json()
    assert points == {"balance": 20, "held": 0, "available": 20}  # companions earn none
    transfers = (await client.get("/v1/me/points/transfers", headers=head.headers())).json()["data"]
    assert [(t["delta"], t["reason"], t["source"]) for t in transfers] == [
        (20, "activity_attended", {"type": "activity_signup", "id": signup["id"]})]
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'activity.attended' "
                             "AND subject_id = $1", activity["id"]) == 1
    await run_due_jobs_of(db, [FINISH_JOB])
    assert (await client.get(f"/v1/activities/{activity['id']}", headers=head.headers())).json()["status"] == "published"
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 2 * 3600 + 700})).status_code == 200
    assert await run_due_jobs_of(db, [FINISH_JOB]) >= 2
    finished = (await client.get(f"/v1/activities/{activity['id']}", headers=head.headers())).json()
    assert finished["status"] == "finished" and finished["finished_at"]
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'activity.finished' "
                             "AND subject_id = $1", activity["id"]) == 1
    late_ok = await client.post(url, headers=leader.headers(), json={"signup_id": signup["id"]})
    assert late_ok.status_code == 200  # within 48 h after the end, still nothing twice
    waitlisted = (await client.get("/v1/me/activities", headers=tenant.headers())).json()["data"][0]["signup"]
    assert waitlisted["status"] == "waitlisted"
    refused = await client.post(f"/v1/activities/{waiting_activity['id']}/attendances", headers=leader.headers(),
                                json={"signup_id": waitlisted["id"]})
    assert refused.status_code == 409 and refused.json()["code"] == "signup_not_confirmed"
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 49 * 3600})).status_code == 200
    closed = await client.post(url, headers=leader.headers(), json={"signup_id": signup["id"]})
    assert closed.status_code == 409 and closed.json()["code"] == "attendance_closed"
    assert (await client.get("/v1/me/points", headers=head.headers())).json()["balance"] == 20
    await assert_balances_are_sums(db, town.street_id)


async def test_check_in_with_the_rotating_token(client, db, town, test_settings):
    leader, head, tenant = town.people["leader"], town.people["head"], town.people["tenant"]
    now = await business_now(db)
    activity = await plan(client, town, now + timedelta(minutes=20), points_per_attendee=5)
    signup = (await sign_up(client, activity, head)).json()
    assert (await client.get(f"/v1/activities/{activity['id']}/checkin-token",
                             headers=head.headers())).status_code == 403
    shown = await client.get(f"/v1/activities/{activity['id']}/checkin-token", headers=leader.headers())
    assert shown.status_code == 200, shown.text
    token = shown.json()["token"]
    assert len(token) <= 32 and shown.json()["rotates_at"]
    wrong = await client.post(f"/v1/activities/{activity['id']}/checkins", headers=head.headers(),
                              json={"token": "ABCDEFGHJKMNPQRS"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "checkin_token_invalid"
    assert (await client.post(f"/v1/activities/{activity['id']}/checkins", headers=tenant.headers(),
                              json={"token": token})).status_code == 404  # not signed up
    done = await client.post(f"/v1/activities/{activity['id']}/checkins", headers=head.headers(), json={"token": token})
    assert done.status_code == 200, done.text
    assert done.json()["id"] == signup["id"] and done.json()["attended_at"]
    assert (await client.get("/v1/me/points", headers=head.headers())).json()["available"] == 5


def test_tokens_rotate_every_minute_and_the_previous_one_still_works():
    key, moment = b"k" * 32, datetime(2026, 12, 1, 8, 0, 30, tzinfo=UTC)
    token = rules.checkin_token(key, "act_1", rules.token_window(moment))
    assert len(token) == rules.TOKEN_LENGTH
    assert rules.token_valid(key, "act_1", token, moment)
    assert rules.token_valid(key, "act_1", token, moment + timedelta(seconds=60))  # the previous window
    assert not rules.token_valid(key, "act_1", token, moment + timedelta(seconds=120))
    assert not rules.token_valid(key, "act_2", token, moment)
    assert not rules.token_valid(b"x" * 32, "act_1", token, moment)


async def test_the_space_is_booked_moved_and_released_with_the_activity(client, db, town):
    leader, head = town.people["leader"], town.people["head"]
    space = await new_space(client, town)
    starts = await day_ahead(db, days=30)  # beyond the booking window: exempt like a leader's booking
    activity = await plan(client, town, starts, space_id=space["id"], publish=False)
    assert activity["booking_id"] is None
    taken = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=leader.headers(), json={
        "start_at": at(starts + timedelta(hours=1)), "end_at": at(starts + timedelta(hours=3)), "attendees": 2})
    assert taken.status_code == 201, taken.text
    url = f"/v1/activities/{activity['id']}/transitions"
    clash = await client.post(url, headers=leader.headers(), json={"to": "published"})
    assert clash.status_code == 409 and clash.json()["code"] == "booking_conflict"
    assert (await client.get(f"/v1/activities/{activity['id']}", headers=leader.headers())).json()["status"] == "draft"
    moved = await client.patch(f"/v1/activities/{activity['id']}", headers=leader.headers(), json={
        "starts_at": at(starts + timedelta(days=1)), "ends_at": at(starts + timedelta(days=1, hours=2))})
    assert moved.status_code == 200
    published = await client.post(url, headers=leader.headers(), json={"to": "published"})
    assert published.status_code == 200, published.text
    first_booking = published.json()["booking_id"]
    row = await db.fetchrow("SELECT status, start_at FROM bookings WHERE id = $1", first_booking)
    assert row["status"] == "confirmed" and row["start_at"] == starts + timedelta(days=1)
    onto_the_other = await client.patch(f"/v1/activities/{activity['id']}", headers=leader.headers(), json={
        "starts_at": at(starts), "ends_at": at(starts + timedelta(hours=2))})
    assert onto_the_other.status_code == 409 and onto_the_other.json()["code"] == "booking_conflict"
    assert await db.fetchval("SELECT status FROM bookings WHERE id = $1", first_booking) == "confirmed"
    later = await client.patch(f"/v1/activities/{activity['id']}", headers=leader.headers(), json={
        "starts_at": at(starts + timedelta(days=2)), "ends_at": at(starts + timedelta(days=2, hours=2))})
    assert later.status_code == 200, later.text
    second_booking = later.json()["booking_id"]
    assert second_booking != first_booking
    assert await db.fetchval("SELECT status FROM bookings WHERE id = $1", first_booking) == "cancelled"
    row = await db.fetchrow("SELECT status, start_at FROM bookings WHERE id = $1", second_booking)
    assert row["status"] == "confirmed" and row["start_at"] == starts + timedelta(days=2)
    other = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=leader.headers(), json={
        "start_at": at(starts + timedelta(days=2)), "end_at": at(starts + timedelta(days=2, hours=1)), "attendees": 1})
    assert other.status_code == 409
    cancelled = await client.post(url, headers=leader.headers(), json={"to": "cancelled", "reason": "场地维修"})
    assert cancelled.status_code == 200
    assert await db.fetchval("SELECT status FROM bookings WHERE id = $1", second_booking) == "cancelled"
    assert head  # residents take no part here


async def test_an_organising_organisations_member_manages_the_activity(client, db, town, test_settings):
    head, tenant = town.people["head"], town.people["tenant"]
    org_id, member = await company(db, test_settings, town, name="嘉富物业")
    now = await business_now(db)
    activity = await plan(client, town, now + timedelta(minutes=15), points_per_attendee=3,
                          organizer={"type": "organization", "id": org_id})
    assert activity["organizer"] == {"type": "organization", "id": org_id}
    signup = (await sign_up(client, activity, head)).json()
    listed = await client.get(f"/v1/activities/{activity['id']}/signups", headers=member.headers())
    assert listed.status_code == 200 and [s["id"] for s in listed.json()["data"]] == [signup["id"]]
    assert (await client.get(f"/v1/activities/{activity['id']}/checkin-token",
                             headers=member.headers())).status_code == 200
    done = await client.post(f"/v1/activities/{activity['id']}/attendances", headers=member.headers(),
                             json={"signup_id": signup["id"]})
    assert done.status_code == 200 and done.json()["attended_at"]
    assert (await client.post(f"/v1/activities/{activity['id']}/attendances", headers=tenant.headers(),
                              json={"signup_id": signup["id"]})).status_code == 403
    moved = await client.patch(f"/v1/activities/{activity['id']}", headers=member.headers(), json={"title": "物业开放日"})
    assert moved.status_code == 200 and moved.json()["title"] == "物业开放日"


async def test_an_activitys_text_is_checked_before_it_is_saved(client, db, platform, wechat):
    """Through the WeChat stand-in (marker words decide): an activity is read by the whole
    building, so risky and under-review text is refused at once, on creation and on change."""
    from tests.support.wechat import register_miniprogram, sign_in_resident, unique_code

    admin = platform.headers()
    community = (await client.post("/v1/communities", headers=admin, json={"name": "活动花苑"})).json()["id"]
    building = (await client.post(f"/v1/communities/{community}/buildings", headers=admin,
                                  json={"name": "6 号楼"})).json()["id"]
    household = (await client.post(f"/v1/buildings/{building}/households", headers=admin,
                                   json={"unit_label": "6-1-101", "area_m2": "80.00"})).json()["id"]
    code = (await client.post(f"/v1/households/{household}/invites", headers=admin,
                              json={"role": "owner", "head": True})).json()["code"]
    leader = await sign_in_resident(client, await register_miniprogram(client, platform), unique_code("act-"))
    assert (await client.post("/v1/me/memberships", headers=leader.headers(),
                              json={"invite_code": code})).status_code == 201
    granted = await client.post(f"/v1/buildings/{building}/roles", headers=admin,
                                json={"person_id": leader.person_id, "role": "building_leader"})
    assert granted.status_code == 201, granted.text
    starts = datetime.now(UTC) + timedelta(days=3)
    body = {"title": "茶话会", "category": "culture", "starts_at": at(starts), "ends_at": at(starts + timedelta(hours=1))}
    url = f"/v1/buildings/{building}/activities"
    for marker in ("[risky]", "[review]"):
        refused = await client.post(url, headers=leader.headers(), json={**body, "description": f"{marker} 广告"})
        assert refused.status_code == 422 and refused.json()["code"] == "content_rejected", refused.text
    assert await db.fetchval("SELECT count(*) FROM activities WHERE building_id = $1", building) == 0
    made = await client.post(url, headers=leader.headers(), json=body)
    assert made.status_code == 201, made.text
    changed = await client.patch(f"/v1/activities/{made.json()['id']}", headers=leader.headers(),
                                 json={"location": "[risky] 地点"})
    assert changed.status_code == 422 and changed.json()["code"] == "content_rejected", changed.text
