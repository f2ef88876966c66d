"""A moderate street for the benchmark, arranged directly in SQL (executemany / COPY):
1 street, 1 community, 20 buildings x 24 households, one resident per household,
15 proposals, 10 tasks and one lounge with 10 bookings per building, and 10 more proposals per
building whose votes are open (every household may cast a ballot on each: 4,800 fresh ballots).

The crowd is set up in SQL rather than through the API because seeding is not what is
measured; only the platform client goes through the project's own use case, so its
secret is stored exactly as the token endpoint expects."""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg

from domain.ids import new_id
from domain.permissions import PLATFORM_SCOPES
from domain.places import BuildingRules
from store.db import init_connection
from usecases.clients import seal_app_secret
from usecases.crypto import Sealer
from usecases.operator import create_platform_client

BUILDINGS, HOUSEHOLDS_PER_BUILDING = 20, 24
PROPOSALS_PER_BUILDING, TASKS_PER_BUILDING, BOOKINGS_PER_SPACE = 15, 10, 10
VOTING_PER_BUILDING = 10
_EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Seeded:
    street_id: str
    platform_client_id: str
    platform_secret: str
    miniprogram_client_id: str
    resident_id: str  # lives in building_ids[0]
    building_ids: list[str]
    proposal_ids: list[str]  # of building_ids[0]
    space_id: str  # the lounge of building_ids[0]
    counts: dict[str, int]
    residents_of: dict[str, list[str]]  # building -> its residents' person ids, one per household
    voting_of: dict[str, list[str]]  # building -> its proposals with an open vote
    space_of: dict[str, str]  # building -> its lounge
    household_of: dict[str, str]  # resident -> their household
    seeded_at: datetime


async def seed(database_url: str, data_key: bytes) -> Seeded:
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    try:
        return await _seed(conn, data_key)
    finally:
        await conn.close()


async def _seed(conn: asyncpg.Connection, data_key: bytes) -> Seeded:
    street_id, platform_client, secret = await create_platform_client(
        conn, street_name="基准街道", name="bench", scopes=PLATFORM_SCOPES)
    now = datetime.now(UTC)
    async with conn.transaction():
        mini_client = await _miniprogram_client(conn, street_id, data_key)
        community_id = new_id("community")
        await conn.execute("INSERT INTO communities (id, street_id, name) VALUES ($1, $2, '基准社区')",
                           community_id, street_id)
        buildings = [new_id("building") for _ in range(BUILDINGS)]
        await conn.executemany(
            """INSERT INTO buildings (id, street_id, community_id, name, address, compound_name, floors,
                                      units, rules) VALUES ($1, $2, $3, $4, $5, '基准小区', 6, 2, $6)""",
            [(b, street_id, community_id, f"{i + 1} 号楼", f"基准小区{i + 1} 号楼", BuildingRules().to_stored())
             for i, b in enumerate(buildings)])
        households, persons, memberships = [], [], []
        for b in buildings:
            for n in range(HOUSEHOLDS_PER_BUILDING):
                h, p = new_id("household"), new_id("person")
                households.append((h, street_id, community_id, b, f"{n // 4 + 1}0{n % 4 + 1}",
                                   Decimal("88.50"), True))
                persons.append((p, f"居民{len(persons)}"))
                memberships.append((new_id("membership"), street_id, community_id, b, h, p, "owner", True))
        await conn.copy_records_to_table(
            "households", records=households,
            columns=["id", "street_id", "community_id", "building_id", "unit_label", "area_m2", "votes"])
        await conn.copy_records_to_table("persons", records=persons, columns=["id", "nickname"])
        await conn.copy_records_to_table(
            "memberships", records=memberships,
            columns=["id", "street_id", "community_id", "building_id", "household_id", "person_id", "role",
                     "head"])
        residents_of = {b: [m[5] for m in memberships if m[3] == b] for b in buildings}
        proposals = [(new_id("proposal"), street_id, community_id, b, residents_of[b][i % HOUSEHOLDS_PER_BUILDING],
                      f"议题 {i + 1}", "楼道、电梯、绿化的改进建议。" * 4, "facilities", 5,
                      now + timedelta(days=14), now - timedelta(minutes=i))
                     for b in buildings for i in range(PROPOSALS_PER_BUILDING)]
        await conn.copy_records_to_table(
            "proposals", records=proposals,
            columns=["id", "street_id", "community_id", "building_id", "author_id", "title", "description",
                     "category", "support_threshold", "collect_until", "created_at"])
        tasks = [(new_id("task"), street_id, community_id, b, f"任务 {i + 1}", "更换楼道灯", "manual",
                  "normal", "platform", now - timedelta(minutes=i))
                 for b in buildings for i in range(TASKS_PER_BUILDING)]
        await conn.copy_records_to_table(
            "tasks", records=tasks,
            columns=["id", "street_id", "community_id", "building_id", "title", "description", "source",
                     "priority", "created_by_type", "created_at"])
        spaces = {b: new_id("space") for b in buildings}
        await conn.executemany(
            """INSERT INTO spaces (id, street_id, community_id, building_id, name, kind, capacity,
                                   opening_hours, rules) VALUES ($1, $2, $3, $4, '共享客厅', 'lounge', 12, $5, $6)""",
            [(s, street_id, community_id, b, {d: ["08:00-21:00"] for d in _EVERY_DAY},
              {"slot_minutes": 30, "max_minutes": 180}) for b, s in spaces.items()])
        # Confirmed bookings, one per day at 10:00 UTC (18:00 Shanghai), so availability has gaps to compute.
        day0 = now.replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)
        bookings = [(new_id("booking"), street_id, s, community_id, b, residents_of[b][i],
                     day0 + timedelta(days=i), day0 + timedelta(days=i, hours=1), 4, "confirmed", now)
                    for b, s in spaces.items() for i in range(BOOKINGS_PER_SPACE)]
        await conn.copy_records_to_table(
            "bookings", records=bookings,
            columns=["id", "street_id", "space_id", "community_id", "building_id", "person_id", "start_at",
                     "end_at", "attendees", "status", "confirmed_at"])
        voting_of = await _open_votes(conn, street_id, community_id, buildings, residents_of, households, now)
    await conn.execute("ANALYZE")
    seeded_at = await conn.fetchval("SELECT clock_timestamp()")  # rows after this were written by a run
    first = buildings[0]
    return Seeded(
        street_id=street_id, platform_client_id=platform_client, platform_secret=secret,
        miniprogram_client_id=mini_client, resident_id=residents_of[first][0], building_ids=buildings,
        proposal_ids=[p[0] for p in proposals if p[3] == first], space_id=spaces[first],
        counts={"buildings": len(buildings), "households": len(households), "residents": len(persons),
                "proposals": len(proposals), "tasks": len(tasks), "spaces": len(spaces),
                "bookings": len(bookings), "open votes": sum(len(v) for v in voting_of.values())},
        residents_of=residents_of, voting_of=voting_of, space_of=spaces,
        household_of={m[5]: m[4] for m in memberships}, seeded_at=seeded_at)


async def _miniprogram_client(conn: asyncpg.Connection, street_id: str, data_key: bytes) -> str:
    """A mini-program client, the kind residents' tokens are issued to (as in tests/support)."""
    client_id, appid = new_id("client"), "wx" + uuid.uuid4().hex[:16]
    sealed = seal_app_secret(Sealer(data_key), client_id, base64.b64encode(os.urandom(16)).decode())
    await conn.execute(
        """INSERT INTO clients (id, street_id, kind, name, appid, app_secret_sealed)
           VALUES ($1, $2, 'miniprogram', 'bench mini-program', $3, $4)""",
        client_id, street_id, appid, sealed)
    return client_id


async def _open_votes(conn: asyncpg.Connection, street_id: str, community_id: str, buildings: list[str],
                      residents_of: dict[str, list[str]], households: list[tuple], now: datetime
                      ) -> dict[str, list[str]]:
    """Proposals in their voting stage with the vote, electorate and voters frozen at opening,
    as usecases/proposals.py leaves them when a vote opens (yes/no, open, simple majority)."""
    voting_of: dict[str, list[str]] = {}
    proposals, votes, electorate, voters = [], [], [], []
    homes = {b: [h for h in households if h[3] == b] for b in buildings}
    for b in buildings:
        voting_of[b] = []
        for i in range(VOTING_PER_BUILDING):
            p, v = new_id("proposal"), new_id("vote")
            voting_of[b].append(p)
            proposals.append((p, street_id, community_id, b, residents_of[b][i], f"表决 {i + 1}",
                              "是否更换电梯。", "facilities", 5, now - timedelta(days=3), "voting",
                              now - timedelta(days=1), now - timedelta(days=2, minutes=i)))
            votes.append((v, street_id, community_id, b, "proposal", p, "simple_majority", False, 1,
                          now - timedelta(days=1), now + timedelta(days=13)))
            for (h, *_rest), person in zip(homes[b], residents_of[b]):
                electorate.append((street_id, v, h, Decimal("88.50")))
                voters.append((street_id, v, h, person, "owner", True))
    await conn.copy_records_to_table(
        "proposals", records=proposals,
        columns=["id", "street_id", "community_id", "building_id", "author_id", "title", "description",
                 "category", "support_threshold", "collect_until", "stage", "voting_at", "created_at"])
    await conn.copy_records_to_table(
        "votes", records=votes,
        columns=["id", "street_id", "community_id", "building_id", "subject_type", "subject_id", "rule",
                 "secret", "max_choices", "opens_at", "closes_at"])
    await conn.copy_records_to_table(
        "proposal_options", records=[(new_id("option"), street_id, p[0], "同意") for p in proposals],
        columns=["id", "street_id", "proposal_id", "title"])  # one option: a yes/no ballot (``choice``)
    await conn.copy_records_to_table("vote_electorate", records=electorate,
                                     columns=["street_id", "vote_id", "household_id", "area_m2"])
    await conn.copy_records_to_table("vote_voters", records=voters,
                                     columns=["street_id", "vote_id", "household_id", "person_id", "role", "head"])
    return voting_of
