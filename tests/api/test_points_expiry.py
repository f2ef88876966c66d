"""The yearly expiry of points (the community spec §7), driven by the test clock: with
``points_expiry: calendar_year`` and 10 grace days, the run at 00:00 on 11 January (the
street's time zone) takes from each person max(0, available − points earned since 1 January
of the year that ended) as an ``expiry`` transfer — nothing of what they earned last year, all
that is older — once, and schedules the next year's run."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import business_now
from tests.support.clock import clock  # noqa: F401 (a fixture)
from tests.support.due_jobs import run_due_jobs_of
from tests.support.points import assert_balances_are_sums, give
from tests.support.town import build_town
from usecases.points_jobs import EXPIRY_JOB

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]


async def _runs(db, street_id: str) -> int:
    """The street's expiry runs done so far (other streets' runs may be due at the same time)."""
    return await db.fetchval("SELECT count(*) FROM jobs WHERE kind = $1 AND street_id = $2 AND status = 'done'",
                             EXPIRY_JOB, street_id)


async def _move_clock_to(client, db, moment: datetime) -> None:
    seconds = int((moment - await business_now(db)).total_seconds())  # at most a year at a time
    moved = await client.post("/v1/test-clock", json={"advance_seconds": seconds})
    assert moved.status_code == 200, moved.text


async def test_points_older_than_last_year_expire_once_a_year(client, db, test_settings, platform):
    town = await build_town(db, test_settings, platform)
    head, tenant, officer = town.people["head"], town.people["tenant"], town.people["officer"]
    this_year = (await business_now(db)).astimezone(SHANGHAI).year
    await give(db, town.street_id, head.person_id, 100)  # earned this year
    await give(db, town.street_id, tenant.person_id, 40)
    set_ = await client.patch("/v1/streets/settings", headers=officer.headers(),
                              json={"points_expiry": "calendar_year", "points_expiry_grace_days": 10})
    assert set_.status_code == 200, set_.text

    # The first run, next January: what was earned this year is last year's by then — kept.
    await _move_clock_to(client, db, datetime(this_year + 1, 1, 10, 23, 0, tzinfo=SHANGHAI))
    await run_due_jobs_of(db, [EXPIRY_JOB])
    assert await _runs(db, town.street_id) == 0  # not before 00:00 on the 11th
    await _move_clock_to(client, db, datetime(this_year + 1, 3, 1, 9, 0, tzinfo=SHANGHAI))
    await run_due_jobs_of(db, [EXPIRY_JOB])
    assert await _runs(db, town.street_id) == 1
    assert (await client.get("/v1/me/points", headers=head.headers())).json()["available"] == 100
    await give(db, town.street_id, head.person_id, 30)  # earned in the new year

    # The next run: this year's 100 is now older than the year that ended; the 30 stays.
    await _move_clock_to(client, db, datetime(this_year + 2, 1, 11, 0, 1, tzinfo=SHANGHAI))
    await run_due_jobs_of(db, [EXPIRY_JOB])
    assert await _runs(db, town.street_id) == 2
    assert (await client.get("/v1/me/points", headers=head.headers())).json() == {
        "balance": 30, "held": 0, "available": 30}
    assert (await client.get("/v1/me/points", headers=tenant.headers())).json()["available"] == 0
    latest = (await client.get("/v1/me/points/transfers", headers=head.headers())).json()["data"][0]
    assert (latest["delta"], latest["reason"], latest["source"]) == (
        -100, "expiry", {"type": "expiry", "id": str(this_year + 2)})
    # Once: the run after that is a year away, and nothing is taken twice.
    await run_due_jobs_of(db, [EXPIRY_JOB])
    assert await _runs(db, town.street_id) == 2
    assert await db.fetchval("SELECT run_at FROM jobs WHERE kind = $1 AND street_id = $2 AND status = 'pending'",
                             EXPIRY_JOB, town.street_id) == datetime(this_year + 3, 1, 11, tzinfo=SHANGHAI)
    await assert_balances_are_sums(db, town.street_id)


async def test_turning_expiry_off_stops_the_run(client, db, test_settings, platform):
    """The run that would take this year's points finds expiry turned off: nothing is taken."""
    town = await build_town(db, test_settings, platform)
    head, officer = town.people["head"], town.people["officer"]
    this_year = (await business_now(db)).astimezone(SHANGHAI).year
    await give(db, town.street_id, head.person_id, 50)
    await client.patch("/v1/streets/settings", headers=officer.headers(), json={"points_expiry": "calendar_year"})
    await _move_clock_to(client, db, datetime(this_year + 1, 3, 1, tzinfo=SHANGHAI))
    await run_due_jobs_of(db, [EXPIRY_JOB])
    assert await _runs(db, town.street_id) == 1  # keeps last year's; schedules the next run
    await client.patch("/v1/streets/settings", headers=officer.headers(), json={"points_expiry": "none"})
    await _move_clock_to(client, db, datetime(this_year + 2, 2, 1, tzinfo=SHANGHAI))
    await run_due_jobs_of(db, [EXPIRY_JOB])
    assert await _runs(db, town.street_id) == 2  # it ran, and did nothing
    assert (await client.get("/v1/me/points", headers=head.headers())).json()["available"] == 50
    assert not await db.fetchval("SELECT count(*) FROM jobs WHERE kind = $1 AND street_id = $2 AND status = 'pending'",
                                 EXPIRY_JOB, town.street_id)
