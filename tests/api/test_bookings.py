"""Bookings over HTTP: every rule violation with its own code, eligibility, the status
machine, visibility of who and why, series, and the iCalendar feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.support.spaces import day_ahead, new_space, span, utc
from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def book(client, person, space, body, **extra):
    return await client.post(f"/v1/spaces/{space['id']}/bookings", headers=person.headers(),
                             json={"attendees": 4, "purpose": "读书会", **body, **extra})


async def test_a_resident_books_and_the_slot_is_taken(client, db, town):
    space = await new_space(client, town)
    start = await day_ahead(db)
    head = town.people["head"]
    created = await book(client, head, space, span(start, 60))
    assert created.status_code == 201, created.text
    booking = created.json()
    assert booking["status"] == "confirmed" and booking["household_id"] == town.household
    assert booking["start_at"].endswith("Z") and created.headers["ETag"]
    clash = await book(client, town.people["tenant"], space, span(start + timedelta(minutes=30), 60))
    assert clash.status_code == 409 and clash.json()["code"] == "booking_conflict"
    assert clash.json()["clashing_range"]["start_at"] == booking["start_at"]
    assert "北京时间" in clash.json()["detail"] or "时区" in clash.json()["detail"]
    mine = (await client.get("/v1/me/bookings", headers=head.headers())).json()["data"]
    assert [b["id"] for b in mine] == [booking["id"]]
    events = await db.fetch("SELECT type FROM events WHERE subject_id = $1", booking["id"])
    assert [e["type"] for e in events] == ["booking.created"]


@pytest.mark.parametrize("code, rules, body, attendees", [
    ("outside_opening_hours", {}, ("day", 23, 120), 4),
    ("off_slot_grid", {}, ("offset", 10, 60), 4),
    ("too_short", {"min_minutes": 60}, ("day", 10, 30), 4),
    ("too_long", {"max_minutes": 60}, ("day", 10, 90), 4),
    ("too_far_ahead", {"book_ahead_max_days": 2}, ("day", 10, 60), 4),
    ("too_late_to_book", {"book_ahead_min_minutes": 10080}, ("day", 10, 60), 4),
    ("over_capacity", {}, ("day", 10, 60), 50),
])
async def test_each_rule_has_its_code(client, db, town, code, rules, body, attendees):
    space = await new_space(client, town, rules=rules, opening_hours={
        d: ["08:00-22:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    start = await day_ahead(db, hour=body[1] if body[0] == "day" else 10)
    if body[0] == "offset":
        start += timedelta(minutes=body[1])
    response = await book(client, town.people["head"], space, span(start, body[2]), attendees=attendees)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code


async def test_closures_are_outside_opening_hours(client, db, town):
    start = await day_ahead(db)
    space = await new_space(client, town, closures=[{**span(start - timedelta(hours=1), 180), "reason": "维修"}])
    response = await book(client, town.people["head"], space, span(start, 60))
    assert response.json()["code"] == "outside_opening_hours"
    free = (await client.get(f"/v1/spaces/{space['id']}/availability", headers=town.people["head"].headers(),
                             params={"from": start.isoformat(), "to": (start + timedelta(hours=3)).isoformat()}))
    assert free.status_code == 200, free.text
    assert free.json()["free"] == [{"start_at": utc(start + timedelta(hours=2)),
                                    "end_at": utc(start + timedelta(hours=3))}]


async def test_quota_eligibility_and_who_books(client, db, town, platform):
    space = await new_space(client, town, rules={"weekly_quota_minutes": 60})
    start = await day_ahead(db)
    head = town.people["head"]
    assert (await book(client, head, space, span(start, 60))).status_code == 201
    over = await book(client, head, space, span(start + timedelta(hours=2), 30))
    assert over.json()["code"] == "quota_exceeded"
    far = await book(client, town.people["far_resident"], space, span(start + timedelta(hours=3), 30))
    assert far.status_code == 404  # another community's resident does not even see the space
    neighbour = await book(client, town.people["neighbour"], space, span(start + timedelta(hours=3), 30))
    assert neighbour.status_code == 404
    wrong = await book(client, town.people["tenant"], space, span(start + timedelta(hours=3), 30),
                       household_id=town.household)
    assert wrong.json()["code"] == "not_eligible"
    robot = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=platform.headers(),
                              json={**span(start + timedelta(hours=4), 30), "attendees": 1})
    assert robot.status_code == 403


async def test_community_space_needs_a_household_choice(client, db, town):
    from tests.support.people import join
    response = await client.post(f"/v1/communities/{town.community}/spaces", headers=town.people["staff"].headers(),
                                 json={"name": "社区厨房", "kind": "kitchen", "capacity": 8,
                                       "opening_hours": {"mon": ["08:00-20:00"]}, "rules": {"who_can_book": "street"}})
    assert response.status_code == 201, response.text
    space = response.json()
    head = town.people["head"]
    hh = await db.fetchval("SELECT id FROM households WHERE building_id = $1 AND id <> ALL($2::text[]) LIMIT 1",
                           town.far_building, [town.household])
    await join(db, head, hh)
    start = await day_ahead(db, days=7)
    start -= timedelta(days=start.weekday())  # a Monday
    body = span(start.replace(hour=9), 60)
    assert (await book(client, head, space, body)).json()["code"] == "household_required"
    assert (await book(client, head, space, body, household_id=hh)).status_code == 201


async def test_approval_cancellation_and_check_in(client, db, town):
    space = await new_space(client, town, rules={"requires_approval": True, "cancel_before_minutes": 1440})
    start = await day_ahead(db)
    head, leader = town.people["head"], town.people["leader"]
    booking = (await book(client, head, space, span(start, 60))).json()
    assert booking["status"] == "pending"
    url = f"/v1/bookings/{booking['id']}/transitions"
    assert (await client.post(url, headers=head.headers(), json={"status": "confirmed"})).status_code == 403
    stale = await client.post(url, headers=leader.headers(**{"If-Match": '"nope"'}), json={"status": "confirmed"})
    assert stale.status_code == 412
    confirmed = await client.post(url, headers=leader.headers(), json={"status": "confirmed"})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    early = await client.post(url, headers=head.headers(), json={"status": "checked_in"})
    assert early.json()["code"] == "not_in_check_in_window"
    cancelled = await client.post(url, headers=head.headers(), json={"status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    again = await client.post(url, headers=head.headers(), json={"status": "cancelled"})
    assert again.status_code == 409
    late = (await book(client, head, space, span(start + timedelta(hours=2), 60))).json()
    await client.post(f"/v1/bookings/{late['id']}/transitions", headers=leader.headers(), json={"status": "confirmed"})
    await db.execute("UPDATE spaces SET rules = rules || '{\"cancel_before_minutes\": 10080}' WHERE id = $1",
                     space["id"])
    too_late = await client.post(f"/v1/bookings/{late['id']}/transitions", headers=head.headers(),
                                 json={"status": "cancelled"})
    assert too_late.json()["code"] == "cancel_too_late"
    types = [r["type"] for r in await db.fetch("SELECT type FROM events WHERE subject_id = $1 ORDER BY seq",
                                               booking["id"])]
    assert types == ["booking.created", "booking.status_changed", "booking.status_changed"]


async def test_others_see_busy_ranges_only(client, db, town):
    space = await new_space(client, town)
    start = await day_ahead(db)
    await book(client, town.people["head"], space, span(start, 60))
    seen = (await client.get(f"/v1/spaces/{space['id']}/bookings", headers=town.people["tenant"].headers())).json()
    assert seen["data"][0]["purpose"] is None and seen["data"][0]["household_id"] is None
    full = (await client.get(f"/v1/spaces/{space['id']}/bookings", headers=town.people["leader"].headers())).json()
    assert full["data"][0]["purpose"] == "读书会" and full["data"][0]["household_id"] == town.household
    mine = (await client.get("/v1/spaces", headers=town.people["tenant"].headers())).json()["data"]
    assert space["id"] in [s["id"] for s in mine]
    assert (await client.get("/v1/spaces", headers=town.people["far_resident"].headers())).json()["data"] == []


async def test_suspended_household_cannot_book(client, db, town):
    space = await new_space(client, town)
    await db.execute("""INSERT INTO booking_suspensions (id, street_id, household_id, starts_at, ends_at)
                        VALUES ('bsp_test' || substr(md5(random()::text), 1, 12), $1, $2, now() - interval '1 day',
                                now() + interval '30 days')""", town.street_id, town.household)
    response = await book(client, town.people["head"], space, span(await day_ahead(db), 60))
    assert response.json()["code"] == "booking_suspended"


async def test_weekly_series_fail_and_skip(client, db, town):
    space = await new_space(client, town, rules={"weekly_quota_minutes": 60})
    start = await day_ahead(db)
    leader, head = town.people["leader"], town.people["head"]
    blocker = await book(client, town.people["tenant"], space, span(start + timedelta(weeks=1), 60))
    assert blocker.status_code == 201
    url = f"/v1/spaces/{space['id']}/booking-series"
    body = {**span(start, 120), "attendees": 10, "purpose": "业主议事会", "weekly_count": 12}
    failed = await client.post(url, headers=leader.headers(), json={**body, "on_conflict": "fail"})
    assert failed.status_code == 409 and failed.json()["code"] == "booking_conflict"
    skipped = await client.post(url, headers=leader.headers(), json={**body, "on_conflict": "skip"})
    assert skipped.status_code == 201, skipped.text
    result = skipped.json()  # the leader is exempt from the 14-day window and the quota
    assert len(result["created"]) == 11 and [s["code"] for s in result["skipped"]] == ["booking_conflict"]
    resident = await client.post(url, headers=head.headers(), json={
        **span(start + timedelta(hours=3), 60), "attendees": 2, "weekly_count": 3, "on_conflict": "skip"})
    codes = [s["code"] for s in resident.json()["skipped"]]
    assert len(resident.json()["created"]) == 2 and codes == ["too_far_ahead"]  # residents keep the window


async def test_calendar_feed(client, db, town):
    space = await new_space(client, town)
    start = await day_ahead(db)
    await book(client, town.people["head"], space, span(start, 90))
    assert (await client.post(f"/v1/spaces/{space['id']}/calendar-token",
                              headers=town.people["head"].headers())).status_code == 403
    rotated = await client.post(f"/v1/spaces/{space['id']}/calendar-token", headers=town.people["leader"].headers())
    assert rotated.status_code == 201 and rotated.headers["Cache-Control"] == "no-store"
    token = rotated.json()["token"]
    assert (await client.get(f"/v1/spaces/{space['id']}/calendar.ics", params={"token": "x" + token})).status_code == 404
    feed = await client.get(f"/v1/spaces/{space['id']}/calendar.ics", params={"token": token})
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert len(events) == 1
    assert events[0].decoded("dtstart") == start and events[0].decoded("dtend") == start + timedelta(minutes=90)
    assert "读书会" not in feed.text


async def test_a_leaders_single_booking_is_exempt_from_the_window_and_the_quota(client, db, town):
    space = await new_space(client, town, rules={"weekly_quota_minutes": 60})
    leader, head = town.people["leader"], town.people["head"]
    far = await day_ahead(db, days=28)
    resident = await book(client, head, space, span(far, 60))
    assert resident.status_code == 422 and resident.json()["code"] == "too_far_ahead"
    booked = await book(client, leader, space, span(far, 60))
    assert booked.status_code == 201, booked.text
    again = await book(client, leader, space, span(far + timedelta(hours=2), 120))  # over the 60-minute quota
    assert again.status_code == 201, again.text
    soon = await day_ahead(db)
    assert (await book(client, head, space, span(soon, 60))).status_code == 201
    over = await book(client, head, space, span(soon + timedelta(hours=2), 30))
    assert over.status_code == 422 and over.json()["code"] == "quota_exceeded"  # residents keep the quota
