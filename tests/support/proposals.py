"""Proposals for tests: one brought to the vote over HTTP, a crowd of households arranged in
SQL, and the due proposal jobs run in-process through the worker's own runner."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import asyncpg

from domain.ids import new_id
from service.settings import Settings
from tests.support.due_jobs import run_due_jobs_of
from tests.support.people import Person, token_for
from usecases.proposals_jobs import COLLECT_DEADLINE_JOB, EVALUATION_END_JOB, VOTE_CLOSE_JOB

PROPOSAL_JOBS = (COLLECT_DEADLINE_JOB, VOTE_CLOSE_JOB, EVALUATION_END_JOB)


async def run_due_jobs(db: asyncpg.Pool) -> int:
    """Run every due proposal job, as a worker would."""
    return await run_due_jobs_of(db, PROPOSAL_JOBS)


def stamp(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


async def proposal_to_vote(client, author: Person, leader: Person, building_id: str, *, now: datetime,
                           options: int = 1, hours: int = 25, **ballot) -> dict:
    """A proposal raised by ``author``, with options, opened for a vote by ``leader``."""
    created = await client.post(f"/v1/buildings/{building_id}/proposals", headers=author.headers(),
                                json={"title": "加装电梯", "category": "facilities"})
    assert created.status_code == 201, created.text
    proposal = created.json()
    for i in range(options):
        added = await client.post(f"/v1/proposals/{proposal['id']}/options", headers=author.headers(),
                                  json={"title": f"方案 {i + 1}"})
        assert added.status_code == 201, added.text
    for body in ({"to": "deliberating"},
                 {"to": "voting", "ballot": {"closes_at": stamp(now + timedelta(hours=hours)), **ballot}}):
        moved = await client.post(f"/v1/proposals/{proposal['id']}/transitions", headers=leader.headers(), json=body)
        assert moved.status_code == 200, moved.text
    return moved.json()


async def crowd(db: asyncpg.Pool, settings: Settings, *, street_id: str, community_id: str, client_id: str,
                households: int, area: str = "80.00") -> tuple[str, list[tuple[str, Person]]]:
    """A building of ``households`` voting households, each with its head signed in."""
    building_id = new_id("building")
    await db.execute("INSERT INTO buildings (id, street_id, community_id, name, rules) VALUES ($1, $2, $3, $4, '{}')",
                     building_id, street_id, community_id, "大楼")
    rows, people = [], []
    for i in range(households):
        household_id, person_id = new_id("household"), new_id("person")
        rows.append((household_id, person_id, f"{i // 10 + 1}-{i:03d}"))
        people.append((household_id, Person(person_id, token_for(settings, person_id=person_id, client_id=client_id,
                                                                  street_id=street_id))))
    async with db.acquire() as conn, conn.transaction():
        await conn.executemany(
            """INSERT INTO households (id, street_id, community_id, building_id, unit_label, area_m2)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            [(h, street_id, community_id, building_id, label, Decimal(area)) for h, _, label in rows])
        await conn.executemany("INSERT INTO persons (id, nickname) VALUES ($1, '居民')", [(p,) for _, p, _ in rows])
        await conn.executemany(
            """INSERT INTO memberships (id, street_id, community_id, building_id, household_id, person_id, role, head)
               VALUES ($1, $2, $3, $4, $5, $6, 'owner', true)""",
            [(new_id("membership"), street_id, community_id, building_id, h, p) for h, p, _ in rows])
    return building_id, people
