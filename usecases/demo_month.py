"""A month of demo activity in every demo street (development only), so that `make run` shows
non-trivial statistics (GET /v1/stats): residents in half of the households, reports raised and
most resolved (with feedback), tasks done on time, late or still overdue, proposals gathering
support or closed, comments, bookings of a room per community, and sign-ins, spread over the
30 days before today (business time).

The acts of the past month are written as rows, dated back: the use cases stamp an act with
the moment it is made, and a month of history cannot be made now. The statistics triggers
count them like any other row. The ballots are real: demo residents cast them through the use
case in the votes open now. Loading is idempotent (a street that has its month is left alone;
ballots already cast are not cast again)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from domain.errors import DomainError
from domain.ids import new_id
from domain.permissions import Principal
from usecases import proposal_ballots

MARK = "（演示：近一月）"  # the location of the month's reports: the street has its month
README_BUILDING, README_COMMUNITY = "cli_demo_juyuan-c0-b0", "cli_demo_juyuan-c0-"
_EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def load_demo_month(conn: asyncpg.Connection, now: datetime) -> int:
    """Give every demo street its month; returns how many streets got one now."""
    loaded = 0
    streets = await conn.fetch(
        """SELECT DISTINCT s.id, s.timezone FROM streets s JOIN buildings b ON b.street_id = s.id
            WHERE b.external_id LIKE 'cli_demo_%' ORDER BY s.id""")
    for street in streets:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('demo-month'), hashtext($1))", street["id"])
            if await conn.fetchval("SELECT 1 FROM reports WHERE street_id = $1 AND location = $2 LIMIT 1",
                                   street["id"], MARK):
                continue
            await _month(conn, street["id"], ZoneInfo(street["timezone"]), now, random.Random(street["id"]))
            loaded += 1
    return loaded


def _moment(rng: random.Random, zone: ZoneInfo, now: datetime, days_back: int = 30) -> datetime:
    day = now.astimezone(zone).date() - timedelta(days=rng.randint(1, days_back))
    return datetime.combine(day, time(rng.randint(7, 21), rng.choice((0, 15, 30, 45))), tzinfo=zone)


async def _month(conn: asyncpg.Connection, street_id: str, zone: ZoneInfo, now: datetime,
                 rng: random.Random) -> None:
    buildings = await conn.fetch(
        """SELECT id, community_id, external_id FROM buildings
            WHERE street_id = $1 AND external_id LIKE 'cli_demo_%' ORDER BY id""",
        street_id)
    client_id = await conn.fetchval(
        "SELECT id FROM clients WHERE street_id = $1 ORDER BY kind = 'miniprogram' DESC, id LIMIT 1", street_id)
    spaces: dict[str, str] = {}  # community → the month's room
    for building in buildings:
        b, c = building["id"], building["community_id"]
        free = await conn.fetch(
            """SELECT h.id FROM households h WHERE h.building_id = $1
                AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.household_id = h.id) ORDER BY h.unit_label""", b)
        residents: list[tuple[str, str]] = []  # (household, person)
        for h in free[::2]:
            person = new_id("person")
            await conn.execute("INSERT INTO persons (id, nickname) VALUES ($1, '演示居民')", person)
            await conn.execute(
                """INSERT INTO memberships (id, street_id, community_id, building_id, household_id, person_id, role,
                                            head, joined_at)
                   VALUES ($1, $2, $3, $4, $5, $6, 'owner', true, $7)""",
                new_id("membership"), street_id, c, b, h["id"], person, now - timedelta(days=40))
            residents.append((h["id"], person))
        if not residents:
            continue
        for _ in range(6):
            _, reporter = rng.choice(residents)
            created = _moment(rng, zone, now)
            resolved = created + timedelta(hours=rng.randint(2, 96)) if rng.random() < 0.7 else None
            resolved = resolved if resolved and resolved < now else None
            rating = rng.choice((5, 5, 4, 4, 3, 2)) if resolved and rng.random() < 0.6 else None
            await conn.execute(
                """INSERT INTO reports (id, street_id, community_id, building_id, reporter_id, category, description,
                                        location, urgency, status, resolved_at, feedback_rating, feedback_at,
                                        acknowledged_at, created_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
                new_id("report"), street_id, c, b, reporter, rng.choice(("environment", "facilities", "safety")),
                rng.choice(("楼道堆放杂物", "路灯不亮", "电梯异响", "垃圾未及时清运")), MARK,
                "urgent" if rng.random() < 0.2 else "normal", "resolved" if resolved else "acknowledged",
                resolved, rating, resolved + timedelta(days=1) if rating and resolved else None,
                created + timedelta(hours=1), created)
        for _ in range(4):
            created = _moment(rng, zone, now)
            due = created + timedelta(days=3)
            fate = rng.random()
            done = created + timedelta(days=rng.randint(1, 2)) if fate < 0.5 else (
                due + timedelta(days=1) if fate < 0.75 else None)
            done = done if done and done < now else None
            overdue = due if due < now and (done is None or done > due) else None
            await conn.execute(
                """INSERT INTO tasks (id, street_id, community_id, building_id, title, source, priority, status,
                                      due_at, done_at, overdue_at, escalated_community_at, created_by_type,
                                      created_at)
                   VALUES ($1, $2, $3, $4, $5, 'manual', 'normal', $6, $7, $8, $9, $10, 'system', $11)""",
                new_id("task"), street_id, c, b, rng.choice(("清理楼道", "更换灯泡", "修补围栏")),
                "done" if done else "open", due, done, overdue,
                overdue + timedelta(days=3) if overdue and not done and overdue + timedelta(days=3) < now else None,
                created)
        # The README's walk-through building keeps the proposals its reader is told about.
        walk_through = building["external_id"] == README_BUILDING
        for title, closed in () if walk_through else (("增设电动车充电桩", False), ("楼下花坛改种蔬菜", True)):
            author = rng.choice(residents)[1]
            created = _moment(rng, zone, now, 25)
            proposal = new_id("proposal")
            await conn.execute(
                """INSERT INTO proposals (id, street_id, community_id, building_id, author_id, title, category,
                                          stage, outcome, support_threshold, collect_until, closed_at, created_at)
                   VALUES ($1, $2, $3, $4, $5, $6, 'facilities', $7, $8, 5, $9, $10, $11)""",
                proposal, street_id, c, b, author, title, "closed" if closed else "collecting",
                "insufficient_support" if closed else None, created + timedelta(days=14),
                created + timedelta(days=14) if closed else None, created)
            for household, person in rng.sample(residents, min(len(residents), rng.randint(1, 4))):
                await conn.execute(
                    """INSERT INTO proposal_supports (street_id, proposal_id, household_id, person_id, created_at)
                       VALUES ($1, $2, $3, $4, $5)""", street_id, proposal, household, person,
                    created + timedelta(hours=rng.randint(1, 48)))
                if rng.random() < 0.5:
                    await conn.execute(
                        """INSERT INTO proposal_comments (id, street_id, proposal_id, author_id, body, created_at)
                           VALUES ($1, $2, $3, $4, '赞成，早点办', $5)""", new_id("comment"), street_id, proposal,
                        person, created + timedelta(hours=rng.randint(1, 72)))
        for _, person in residents:
            if rng.random() < 0.7:
                await conn.execute(
                    """INSERT INTO refresh_tokens (id, family_id, person_id, client_id, street_id, token_digest,
                                                   expires_at, revoked_at, created_at)
                       VALUES ($1, $1, $2, $3, $4, $5, $6, $6, $6)""",
                    new_id("refresh_token"), person, client_id, street_id, rng.randbytes(32),
                    _moment(rng, zone, now))
        if building["external_id"].startswith(README_COMMUNITY):  # its spaces are the README's
            continue
        space = spaces.get(c)
        if space is None:  # a community's room (not a building's: the 1 号楼 demo keeps its own spaces)
            space = spaces[c] = new_id("space")
            await conn.execute(
                """INSERT INTO spaces (id, street_id, community_id, name, kind, capacity, opening_hours)
                   VALUES ($1, $2, $3, '社区活动室（演示）', 'meeting_room', 30, $4)""",
                space, street_id, c, {day: ["08:00-21:00"] for day in _EVERY_DAY})
        for day in range(30, 0, -3):
            household, person = rng.choice(residents)
            start = datetime.combine(now.astimezone(zone).date() - timedelta(days=day),
                                     time(rng.choice((9, 14, 19))), tzinfo=zone)
            if await conn.fetchval("SELECT 1 FROM bookings WHERE space_id = $1 AND start_at = $2", space, start):
                continue
            await conn.execute(
                """INSERT INTO bookings (id, street_id, space_id, community_id, household_id, person_id,
                                         start_at, end_at, purpose, attendees, status, created_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '邻里茶话会', 6, $9, $10)""",
                new_id("booking"), street_id, space, c, household, person, start, start + timedelta(hours=2),
                "no_show" if rng.random() < 0.15 else "completed", start - timedelta(days=2))


async def cast_demo_ballots(conn: asyncpg.Connection, now: datetime) -> int:
    """Demo residents cast their households' ballots in the votes open now (through the use
    case); a household that has voted, or a resident who may not, is skipped."""
    cast = 0
    rows = await conn.fetch(
        """SELECT p.id AS proposal_id, m.household_id, m.person_id, m.street_id, c.id AS client_id
             FROM proposals p JOIN votes v ON v.subject_type = 'proposal' AND v.subject_id = p.id
             JOIN memberships m ON m.building_id = p.building_id AND m.left_at IS NULL AND m.head
             JOIN persons r ON r.id = m.person_id AND r.nickname = '演示居民'
             JOIN clients c ON c.street_id = p.street_id AND c.kind = 'miniprogram'
            WHERE p.stage = 'voting' AND v.closes_at > $1
              AND NOT EXISTS (SELECT 1 FROM ballots b WHERE b.vote_id = v.id AND b.household_id = m.household_id)
            ORDER BY m.household_id""", now)
    rng = random.Random(len(rows))
    for row in rows:
        who = Principal(kind="person", client_id=row["client_id"], street_id=row["street_id"],
                        person_id=row["person_id"])
        choice = rng.choice(("yes", "yes", "yes", "no", "abstain"))
        try:
            async with conn.transaction():
                await proposal_ballots.cast(conn, who, row["proposal_id"], proposal_ballots.BallotCommand(
                    choice=choice, household_id=row["household_id"]), now)
            cast += 1
        except DomainError:  # not a voter at the vote's opening, say: the demo goes on without it
            continue
    return cast
