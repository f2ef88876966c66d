"""No double booking, ever: 100 clients race for one slot through the running server
(uvicorn, a real process): exactly one 201, 99 × 409, no 5xx — also for overlapping but
different ranges."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from tests.support.server import running_service
from tests.support.spaces import day_ahead, new_space, span
from tests.support.town import build_town

pytestmark = pytest.mark.slow
GENEROUS = "1000000/60"


async def _race(base_url: str, space_id: str, people, bodies) -> list[int]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30,
                                 limits=httpx.Limits(max_connections=100)) as http:
        async def one(person, body):
            response = await http.post(f"/v1/spaces/{space_id}/bookings", headers=person.headers(),
                                       json={**body, "attendees": 2})
            return response.status_code
        return await asyncio.gather(*(one(p, b) for p, b in zip(people, bodies)))


async def test_one_hundred_clients_one_slot(client, db, test_settings, platform, database_url, redis_url, tmp_path):
    town = await build_town(db, test_settings, platform)
    spaces = [await new_space(client, town, rules={"who_can_book": "building", "max_minutes": 600}) for _ in range(2)]
    start = await day_ahead(db)
    residents = [town.people[k] for k in ("head", "tenant", "leader")]
    people = [residents[i % 3] for i in range(100)]
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "BILIN_RATE_LIMIT_CLIENT": GENEROUS,
           "BILIN_RATE_LIMIT_PERSON": GENEROUS, "BILIN_RATE_LIMIT_ANONYMOUS": GENEROUS}
    with running_service(env, log_path=tmp_path / "service.log") as base_url:
        same = await _race(base_url, spaces[0]["id"], people, [span(start, 60)] * 100)
        overlapping = await _race(base_url, spaces[1]["id"], people,
                                  [_overlapping(start, i) for i in range(100)])
    for statuses in (same, overlapping):
        assert not [s for s in statuses if s >= 500], (tmp_path / "service.log").read_text()[-3000:]
        assert sorted(set(statuses)) in ([201, 409],), statuses
        assert statuses.count(201) == 1 and statuses.count(409) == 99
    for space in spaces:
        assert await db.fetchval("SELECT count(*) FROM bookings WHERE space_id = $1", space["id"]) == 1


def _overlapping(start, i: int) -> dict:
    """Different ranges that all share [start + 90 min, start + 120 min)."""
    first = start + timedelta(minutes=30 * (i % 4))
    return {"start_at": first.isoformat(),
            "end_at": (start + timedelta(minutes=120 + 30 * (i % 3))).isoformat()}
