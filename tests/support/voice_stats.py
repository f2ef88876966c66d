"""看 and 问 in the statistics' brute-force test (tests/api/test_stats.py): announcements and
questions made through the API, moved to random moments, and their figures counted anew over
the raw rows (frozen audiences, acknowledgements, questions) by the definitions of
docs/statistics.md. Drawn from their own random stream, so the test's other rows stay as they were."""

from __future__ import annotations

import random
import statistics as pystats
from collections.abc import Callable
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import asyncpg


async def make_voice_activity(client: Any, town: Any, residents: list[tuple[str, str]], rng: random.Random) -> None:
    """Announcements of each scope (most asking for acknowledgement, some withdrawn), acknowledged
    by some; questions to both communities, most answered."""
    rng = random.Random(sum(rng.getstate()[1]))
    p = town.people
    posts = [("/v1/streets/announcements", "officer"), (f"/v1/communities/{town.community}/announcements", "staff"),
             (f"/v1/buildings/{town.building}/announcements", "leader")]
    for _ in range(rng.randint(3, 5)):
        url, author = rng.choice(posts)
        made = await client.post(url, headers=p[author].headers(), json={
            "title": "通知", "body": "请知悉", "requires_acknowledgement": rng.random() < 0.8})
        assert made.status_code == 201, made.text
        for who, _ in residents:
            if rng.random() < 0.5:
                assert (await client.put(f"/v1/announcements/{made.json()['id']}/acknowledgement",
                                         headers=p[who].headers(), json={})).status_code in (200, 404, 422)
        if rng.random() < 0.2:
            assert (await client.post(f"/v1/announcements/{made.json()['id']}/transitions",
                                      headers=p[author].headers(), json={"to": "withdrawn"})).status_code == 200
    for _ in range(rng.randint(2, 5)):
        who, building = rng.choice(residents)
        community = town.other_community if building == town.far_building else town.community
        made = await client.post(f"/v1/communities/{community}/questions", headers=p[who].headers(),
                                 json={"title": "请问", "public": rng.random() < 0.7})
        assert made.status_code == 201, made.text
        if rng.random() < 0.7:
            staff = p["far_staff"] if community == town.other_community else p["staff"]
            assert (await client.post(f"/v1/questions/{made.json()['id']}/answers", headers=staff.headers(),
                                      json={"body": "答复"})).status_code == 201


async def scatter_voice(db: asyncpg.Pool, street: str, rng: random.Random,
                        moment: Callable[[random.Random], datetime]) -> None:
    own = random.Random(sum(rng.getstate()[1]))
    for a in await db.fetch("SELECT id FROM announcements WHERE street_id = $1 AND published_at IS NOT NULL "
                            "ORDER BY created_at, id", street):
        await db.execute("UPDATE announcements SET published_at = $2 WHERE id = $1", a["id"], moment(own))
    for q in await db.fetch("SELECT id, first_answered_at FROM questions WHERE street_id = $1 "
                            "ORDER BY created_at, id", street):
        asked = moment(own)
        answered = asked + timedelta(seconds=own.randint(60, 40 * 86400)) if q["first_answered_at"] else None
        await db.execute("UPDATE questions SET created_at = $2, first_answered_at = $3 WHERE id = $1", q["id"],
                         asked, answered)
    for k in await db.fetch("""SELECT k.announcement_id, k.household_id FROM announcement_acknowledgements k
                                 JOIN announcements a ON a.id = k.announcement_id WHERE a.street_id = $1
                                ORDER BY k.created_at, k.household_id""", street):
        await db.execute("""UPDATE announcement_acknowledgements SET created_at = $3
                             WHERE announcement_id = $1 AND household_id = $2""",
                         k["announcement_id"], k["household_id"], moment(own))


async def voice_acts(db: asyncpg.Pool, street: str, households: set[str],
                     inside: Callable[[Any], bool]) -> list[tuple[str | None, str | None]]:
    """(household, person) of each acknowledgement and question in the period, of these households:
    an acknowledgement is its household's; a question the household its asker lives in, in the
    question's community (the first by id)."""
    acts: list[tuple[str | None, str | None]] = [
        (k["household_id"], k["person_id"]) for k in await db.fetch(
            "SELECT * FROM announcement_acknowledgements WHERE household_id = ANY ($1)", list(households))
        if inside(k["created_at"])]
    for q in await db.fetch("SELECT * FROM questions WHERE street_id = $1", street):
        home = await db.fetchval("""SELECT min(household_id) FROM memberships WHERE person_id = $1
                                     AND community_id = $2 AND left_at IS NULL""", q["asker_id"], q["community_id"])
        if home in households and inside(q["created_at"]):
            acts.append((home, q["asker_id"]))
    return acts


async def voice_figures(db: asyncpg.Pool, column: str, place: str, inside: Callable[[Any], bool],
                        rate: Callable[[int, int], Any], two: Callable[[Any], Any]) -> dict:
    where = f"{column} = $1"
    audience = await db.fetch(  # each announcement's frozen households of the place, and whether each acknowledged
        f"""SELECT a.published_at, k.in_audience IS TRUE AS acknowledged
              FROM announcements a JOIN announcement_households ah ON ah.announcement_id = a.id
              JOIN households h ON h.id = ah.household_id
              LEFT JOIN announcement_acknowledgements k
                     ON k.announcement_id = a.id AND k.household_id = ah.household_id
             WHERE h.{where} AND a.requires_acknowledgement AND a.status <> 'withdrawn'""", place)
    aware = [row["acknowledged"] for row in audience if inside(row["published_at"])]
    questions = [] if column == "building_id" else await db.fetch(f"SELECT * FROM questions WHERE {where}", place)
    answered = [q for q in questions if inside(q["first_answered_at"])]
    hours = [Fraction(round((q["first_answered_at"] - q["created_at"]).total_seconds()), 3600) for q in answered]
    return {
        "awareness_rate": rate(sum(aware), len(aware)), "awareness_rate_reason": None,
        "questions": {"asked": sum(1 for q in questions if inside(q["created_at"])), "answered": len(answered),
                      "median_hours_to_first_answer": two(pystats.median(hours)) if hours else None},
    }


__all__ = ["make_voice_activity", "scatter_voice", "voice_acts", "voice_figures"]
