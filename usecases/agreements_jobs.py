"""The due jobs of co-building agreements (registered in worker/jobs.py HANDLERS): a signed
agreement becomes ``active`` at 00:00 of ``starts_on`` and ``expired`` at 00:00 of the day
after ``ends_on`` (the street's time zone), and ``agreement.expiring`` is raised once, 30 days
before that end. Each job re-reads the locked agreement and applies whatever is due
(``advance``), so a late, repeated or out-of-order job changes nothing twice; a terminated
agreement is left alone. Scheduled by usecases/agreements.py ``sign``."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import agreements as rules
from domain.agreements import Agreement, Moments
from domain.jobs import Job
from store import agreements as store
from usecases.kernel import record_event, schedule_jobs

ACTIVATE_JOB = "agreement.activate"
EXPIRING_JOB = "agreement.expiring"
EXPIRE_JOB = "agreement.expire"
JOBS = (ACTIVATE_JOB, EXPIRING_JOB, EXPIRE_JOB)


class AgreementDue(msgspec.Struct, kw_only=True):
    """The payload of each of the three jobs."""

    agreement_id: str


async def schedule_dates(conn: asyncpg.Connection, agreement: Agreement, when: Moments) -> None:
    """The jobs of a newly signed agreement, for those of its moments still ahead."""
    payload = AgreementDue(agreement_id=agreement.id)
    due = [(kind, at, payload, f"{kind}:{agreement.id}")
           for kind, at in ((ACTIVATE_JOB, when.starts_at), (EXPIRING_JOB, when.expiring_at),
                            (EXPIRE_JOB, when.ends_at))]
    await schedule_jobs(conn, due, street_id=agreement.street_id)


async def advance(conn: asyncpg.Connection, agreement: Agreement, when: Moments, now: datetime) -> Agreement:
    """Apply to the locked ``agreement`` what its dates make due at ``now``: the expiring notice
    (once, while it still runs), then its move to active or expired."""
    if rules.expiring_due(agreement.status, agreement.expiring_at is not None, when, now):
        marked = await store.mark_expiring(conn, agreement.id, now)
        if marked is not None:
            agreement = marked
            await record_event(conn, "agreement.expiring", "agreement", agreement, {
                "organization_id": agreement.organization_id, "ends_on": agreement.ends_on.isoformat(),
                "status": agreement.status})
    to = rules.due_status(agreement.status, when, now)
    while agreement.status != to:
        # signed → active → expired, one event a step (a late job may take both at once).
        step = "active" if agreement.status == "signed" and now >= when.starts_at else to
        moved = await store.move(conn, agreement.id, to=step, at=now)
        await record_event(conn, "agreement.status_changed", "agreement", moved, {
            "from": agreement.status, "to": step, "reason": None, "by": {"type": "system", "id": None}})
        agreement = moved
    return agreement


async def apply_dates(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    payload = msgspec.convert(job.payload, AgreementDue)
    agreement = await store.get(conn, job.street_id, payload.agreement_id, lock=True)
    if agreement is None:
        return
    when = rules.moments(agreement.starts_on, agreement.ends_on, await store.timezone_of(conn, agreement.street_id))
    await advance(conn, agreement, when, now)


HANDLERS = {kind: apply_dates for kind in JOBS}
