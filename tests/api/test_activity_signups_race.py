"""Seats are never oversold and a freed seat is given exactly once, through the running server
(uvicorn, a real process): 100 residents sign up at once for 10 seats — exactly 10 confirmed,
90 waitlisted with positions 1–90; then two confirmed residents cancel at once — each
cancellation promotes exactly one, the first two of the waiting list, and no one twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

import httpx
import pytest

from tests.support.clock import business_now
from tests.support.people import join, new_person
from tests.support.server import running_service
from tests.support.town import build_town

pytestmark = pytest.mark.slow
GENEROUS = "1000000/60"


def _at(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_hundred_signups_for_ten_seats_and_two_racing_cancellations(client, db, test_settings, platform,
                                                                        database_url, redis_url, tmp_path):
    town = await build_town(db, test_settings, platform)
    leader = town.people["leader"]
    residents = []
    for i in range(100):
        resident = await new_person(db, test_settings, client_id=town.client_id, street_id=town.street_id,
                                    nickname=f"居民{i}")
        await join(db, resident, town.household, role="family")
        residents.append(resident)
    starts = await business_now(db) + timedelta(days=3)
    created = await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json={
        "title": "包饺子", "category": "festival", "starts_at": _at(starts), "ends_at": _at(starts + timedelta(hours=2)),
        "capacity": 10})
    activity = created.json()["id"]
    published = await client.post(f"/v1/activities/{activity}/transitions", headers=leader.headers(),
                                  json={"to": "published"})
    assert published.status_code == 200, published.text
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "BILIN_RATE_LIMIT_CLIENT": GENEROUS,
           "BILIN_RATE_LIMIT_PERSON": GENEROUS, "BILIN_RATE_LIMIT_ANONYMOUS": GENEROUS}
    with running_service(env, log_path=tmp_path / "service.log") as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60,
                                     limits=httpx.Limits(max_connections=100)) as http:
            answers = await asyncio.gather(*(http.post(f"/v1/activities/{activity}/signups", headers=p.headers(),
                                                       json={"companions": 0}) for p in residents))
            assert not [a for a in answers if a.status_code != 201], (tmp_path / "service.log").read_text()[-3000:]
            statuses = sorted(a.json()["status"] for a in answers)
            assert statuses == ["confirmed"] * 10 + ["waitlisted"] * 90
            positions = sorted(a.json()["position"] for a in answers if a.json()["status"] == "waitlisted")
            assert positions == list(range(1, 91))
            first_waiting = [a.json()["id"] for a in sorted(
                (a for a in answers if a.json()["status"] == "waitlisted"), key=lambda a: a.json()["position"])][:2]
            leaving = [p for p, a in zip(residents, answers, strict=True) if a.json()["status"] == "confirmed"][:2]
            cancels = await asyncio.gather(*(http.delete(f"/v1/activities/{activity}/signups/mine",
                                                         headers=p.headers()) for p in leaving))
    assert [c.status_code for c in cancels] == [200, 200]
    rows = await db.fetch("SELECT status, count(*) AS n, sum(seats) AS seats FROM activity_signups "
                          "WHERE activity_id = $1 GROUP BY status", activity)
    counts = {r["status"]: r["n"] for r in rows}
    assert counts == {"confirmed": 10, "waitlisted": 88, "cancelled": 2}
    assert await db.fetchval("SELECT seats_taken FROM activities WHERE id = $1", activity) == 10
    promoted = await db.fetch("SELECT subject_id FROM events WHERE type = 'activity_signup.promoted' "
                              "AND data->>'activity_id' = $1", activity)
    assert sorted(r["subject_id"] for r in promoted) == sorted(first_waiting)
    assert await db.fetchval("SELECT count(*) FROM activity_signups WHERE activity_id = $1 AND status = 'confirmed' "
                             "AND id = ANY($2::text[])", activity, first_waiting) == 2
