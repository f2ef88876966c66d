"""No-shows are applied by the service itself: with the test clock moved past start + 15 min
and a worker running, a booking nobody checked in to becomes no_show without any request
touching it; the third in 30 days suspends the household for 14 days, and the suspension
ends by itself."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.spaces import day_ahead, new_space, span
from tests.support.town import build_town
from tests.support.worker import running_worker

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]


async def eventually(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s")
        await asyncio.sleep(0.1)
    return result


async def advance_to(client, db, moment) -> None:
    seconds = int((moment - await business_now(db)).total_seconds()) + 1
    response = await client.post("/v1/test-clock", json={"advance_seconds": seconds})
    assert response.status_code == 200, response.text


async def test_three_no_shows_suspend_the_household_until_it_ends(client, db, test_settings, platform, database_url,
                                                                   tmp_path):
    town = await build_town(db, test_settings, platform)
    space = await new_space(client, town)
    head, tenant = town.people["head"], town.people["tenant"]
    start = await day_ahead(db, days=1)
    ids = []
    for day in range(3):
        response = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=head.headers(),
                                     json={**span(start + timedelta(days=day), 60), "attendees": 2})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    kept = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=tenant.headers(),
                             json={**span(start + timedelta(hours=2), 60), "attendees": 2})
    kept_id = kept.json()["id"]
    with running_worker(database_url, tmp_path / "worker.log"):
        await advance_to(client, db, start + timedelta(hours=2))
        checked = await client.post(f"/v1/bookings/{kept_id}/transitions", headers=tenant.headers(),
                                    json={"status": "checked_in"})
        assert checked.status_code == 200, checked.text

        async def status(booking_id):
            return await db.fetchval("SELECT status FROM bookings WHERE id = $1", booking_id)

        await eventually(lambda: _is(status(ids[0]), "no_show"))
        await advance_to(client, db, start + timedelta(days=2, minutes=16))
        # Both later no-shows fall due at once and two worker slots may record them together:
        # the third no-show still suspends, exactly once.
        await eventually(lambda: _is(status(ids[1]), "no_show"))
        await eventually(lambda: _is(status(ids[2]), "no_show"))
        await eventually(lambda: _has_event(db, town.household, "booking.household_suspended"))
        await advance_to(client, db, start + timedelta(days=2, hours=4))
        await eventually(lambda: _is(status(kept_id), "completed"))  # ended after check-in
        events = await db.fetch("SELECT type FROM events WHERE subject_id = $1", town.household)
        assert [e["type"] for e in events] == ["booking.household_suspended"]
        later = await day_ahead(db, days=3)
        refused = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=head.headers(),
                                    json={**span(later, 60), "attendees": 2})
        assert refused.json()["code"] == "booking_suspended"
        await advance_to(client, db, start + timedelta(days=17))
        await eventually(lambda: _has_event(db, town.household, "booking.suspension_ended"))
    again = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=head.headers(),
                              json={**span(await day_ahead(db, days=1), 60), "attendees": 2})
    assert again.status_code == 201, again.text


async def _is(value_coroutine, expected) -> bool:
    return await value_coroutine == expected


async def _has_event(db, subject_id, type_) -> bool:
    return bool(await db.fetchval("SELECT 1 FROM events WHERE subject_id = $1 AND type = $2", subject_id, type_))


async def test_two_no_shows_recorded_at_once_still_suspend_exactly_once(client, db, test_settings, platform):
    """Two of a household's no-shows fall due together and two worker slots record them in
    two transactions: each must count the other, so the third no-show suspends, once."""
    from domain.jobs import Job
    from store.rows import model
    from usecases.bookings_jobs import NO_SHOW_JOB, apply_no_show

    town = await build_town(db, test_settings, platform)
    space = await new_space(client, town)
    start = await day_ahead(db, days=1)
    ids = []
    for day in range(3):
        response = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=town.people["head"].headers(),
                                     json={**span(start + timedelta(days=day), 60), "attendees": 2})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    now = start + timedelta(days=2, hours=1)
    await db.execute("UPDATE bookings SET status = 'no_show', no_show_at = $2 WHERE id = $1", ids[0], now)
    jobs = {row["payload"]["booking_id"]: model(Job, row) for row in await db.fetch(
        "SELECT * FROM jobs WHERE kind = $1 AND payload->>'booking_id' = ANY($2::text[])", NO_SHOW_JOB, ids[1:])}
    assert set(jobs) == set(ids[1:])
    first, second = await db.acquire(), await db.acquire()
    try:
        one = first.transaction()
        await one.start()
        await apply_no_show(first, jobs[ids[1]], now)
        other = second.transaction()
        await other.start()
        racing = asyncio.create_task(apply_no_show(second, jobs[ids[2]], now))
        await asyncio.sleep(0.5)  # the second reckons while the first has not committed
        await one.commit()
        await racing
        await other.commit()
    finally:
        await db.release(first)
        await db.release(second)
    suspensions = await db.fetchval(
        "SELECT count(*) FROM events WHERE subject_id = $1 AND type = 'booking.household_suspended'", town.household)
    assert suspensions == 1
