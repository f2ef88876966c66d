"""Tasks for tests: a property company with a member, and the due task and report jobs run
in-process through the worker's own runner (as test_proposals_flow does)."""

from __future__ import annotations

import asyncpg

from domain.ids import new_id
from service.settings import Settings
from tests.support.due_jobs import run_due_jobs_of
from tests.support.people import Person, grant, new_person
from tests.support.town import Town
from usecases.reports_jobs import AUTO_CLOSE_JOB
from usecases.tasks_jobs import ESCALATE_JOB, OVERDUE_JOB

TASK_JOBS = (OVERDUE_JOB, ESCALATE_JOB, AUTO_CLOSE_JOB)


async def run_due_task_jobs(db: asyncpg.Pool) -> int:
    return await run_due_jobs_of(db, TASK_JOBS)


async def company(db: asyncpg.Pool, settings: Settings, town: Town, name: str = "嘉富物业") -> tuple[str, Person]:
    """A property company of the town's street and one signed-in member of it."""
    org_id = new_id("organization")
    await db.execute("INSERT INTO organizations (id, street_id, community_id, name, kind) "
                     "VALUES ($1, $2, $3, $4, 'property_company')", org_id, town.street_id, town.community, name)
    member = await new_person(db, settings, client_id=town.client_id, street_id=town.street_id, nickname="物业小王")
    await grant(db, member, "organization_member", org_id, street_id=town.street_id)
    return org_id, member
