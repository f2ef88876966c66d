"""Activities and the three lists in the statistics' brute-force test (tests/api/test_stats.py):
activities, sign-ups and met needs made through the API, moved to random moments and states by
SQL, and their figures counted anew over the raw rows by the definitions of docs/statistics.md.
Drawn from their own random stream, so the test's other rows stay as they were."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg


async def make_community_life(client: Any, town: Any, residents: list[tuple[str, str]], rng: random.Random) -> None:
    """Published activities of two buildings and of the community, signed up for by some
    residents; needs raised by residents, taken into a project by the community's staff."""
    rng = random.Random(sum(rng.getstate()[1]) + 1)
    p = town.people
    starts = datetime.now().astimezone() + timedelta(days=3)
    hosts = [(f"/v1/buildings/{town.building}/activities", "leader"),
             (f"/v1/communities/{town.community}/activities", "staff")]
    for _ in range(rng.randint(2, 4)):
        url, host = rng.choice(hosts)
        made = await client.post(url, headers=p[host].headers(), json={
            "title": "茶话会", "category": "culture", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat()})
        assert made.status_code == 201, made.text
        activity = made.json()["id"]
        published = await client.post(f"/v1/activities/{activity}/transitions", headers=p[host].headers(),
                                      json={"to": "published"})
        assert published.status_code == 200, published.text
        for who, _ in residents:
            if rng.random() < 0.5:
                signed = await client.post(f"/v1/activities/{activity}/signups", headers=p[who].headers(),
                                           json={"companions": 0})
                assert signed.status_code in (201, 404), signed.text  # 404: a building's activity, another building
    needs = []
    for _ in range(rng.randint(1, 3)):
        who, _ = rng.choice([r for r in residents if r[1] != town.far_building])
        made = await client.post(f"/v1/communities/{town.community}/needs", headers=p[who].headers(),
                                 json={"title": "需要维修工具", "category": "other"})
        assert made.status_code == 201, made.text
        needs.append(made.json()["id"])
    project = await client.post(f"/v1/communities/{town.community}/projects", headers=p["staff"].headers(),
                                json={"title": "工具共享", "need_ids": needs})
    assert project.status_code == 201, project.text


async def scatter_community_life(db: asyncpg.Pool, street: str, rng: random.Random,
                                 moment: Callable[[random.Random], datetime]) -> None:
    own = random.Random(sum(rng.getstate()[1]) + 1)
    for a in await db.fetch("SELECT id FROM activities WHERE street_id = $1 ORDER BY id", street):
        ends = moment(own)
        status = own.choice(["published", "finished", "finished", "cancelled"])
        await db.execute("""UPDATE activities SET starts_at = $2, ends_at = $3::timestamptz, status = $4::text,
                                   finished_at = CASE WHEN $4::text = 'finished' THEN $3::timestamptz END,
                                   cancelled_at = CASE WHEN $4::text = 'cancelled' THEN $3::timestamptz END
                             WHERE id = $1""",
                         a["id"], ends - timedelta(hours=2), ends, status)
    for s in await db.fetch("SELECT id FROM activity_signups WHERE street_id = $1 ORDER BY id", street):
        signed = moment(own)
        attended = moment(own) if own.random() < 0.5 else None
        await db.execute("UPDATE activity_signups SET created_at = $2, attended_at = $3 WHERE id = $1",
                         s["id"], signed, attended)
    for n in await db.fetch("SELECT id FROM needs WHERE street_id = $1 ORDER BY id", street):
        if own.random() < 0.7:
            await db.execute("UPDATE needs SET status = 'met', met_at = $2 WHERE id = $1", n["id"], moment(own))


async def community_acts(db: asyncpg.Pool, street: str, households: set[str],
                         inside: Callable[[Any], bool]) -> list[tuple[str | None, str | None]]:
    """(household, person) of each activity sign-up in the period, of these households: the
    household its person lives in, in the activity's community (the first by id)."""
    acts: list[tuple[str | None, str | None]] = []
    for s in await db.fetch("SELECT * FROM activity_signups WHERE street_id = $1 AND person_id IS NOT NULL", street):
        home = await db.fetchval("""SELECT min(household_id) FROM memberships WHERE person_id = $1
                                     AND community_id = $2 AND left_at IS NULL""", s["person_id"], s["community_id"])
        if home in households and inside(s["created_at"]):
            acts.append((home, s["person_id"]))
    return acts


async def community_figures(db: asyncpg.Pool, column: str, place: str, inside: Callable[[Any], bool]) -> dict:
    where = f"{column} = $1"
    activities = await db.fetch(f"SELECT * FROM activities WHERE {where}", place)
    signups = await db.fetch(f"SELECT * FROM activity_signups WHERE {where}", place)
    needs = await db.fetch(f"SELECT * FROM needs WHERE {where}", place)
    return {
        "activities": {"held": sum(1 for a in activities if a["status"] == "finished" and inside(a["ends_at"])),
                       "attendance": sum(1 for s in signups if inside(s["attended_at"]))},
        "needs_met": sum(1 for n in needs if n["status"] == "met" and inside(n["met_at"])),
    }


__all__ = ["community_acts", "community_figures", "make_community_life", "scatter_community_life"]
