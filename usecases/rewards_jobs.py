"""A pending redemption expires by itself after its reward's ``hold_days``: the hold is voided
and the unit returned. Settling a redemption (fulfilled, cancelled, expired) is written here
once, for the use cases (usecases/rewards.py) and the job. Registered in worker/jobs.py HANDLERS."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import rewards as rules
from domain.jobs import Job
from domain.permissions import Actor
from domain.rewards import Redemption
from store import rewards as store
from usecases import points
from usecases.kernel import record_event

# The event types built below from the redemption's new status (the catalogue, domain/events.py).
APPENDS = ("redemption.fulfilled", "redemption.cancelled", "redemption.expired")

EXPIRE_JOB = "redemption.expire"


class HoldEnds(msgspec.Struct, kw_only=True):
    redemption_id: str


async def settle(conn: asyncpg.Connection, redemption: Redemption, to: str, now: datetime,
                  by: Actor | None) -> Redemption:
    """Post the hold (fulfilled) or void it and return the unit (cancelled, expired)."""
    moved = await store.move_redemption(conn, redemption.id, to, now)
    await points.settle(conn, redemption.transfer_id, "posted" if to == rules.FULFILLED else "voided",
                        redemption.person_id, now)
    if to != rules.FULFILLED:
        await store.return_unit(conn, redemption.reward_id)
    await record_event(conn, f"redemption.{to}", "redemption", moved, {
        "reward_id": moved.reward_id, "person_id": moved.person_id, "from": redemption.status, "to": to,
        "by": None if by is None else (by.person_id or by.principal.client_id)})
    return moved


async def expire_hold(conn: asyncpg.Connection, job: Job, now: datetime) -> None:
    """A pending redemption past its hold: expired, voided, its unit back."""
    ends = msgspec.convert(job.payload, HoldEnds)
    assert job.street_id is not None
    redemption = await store.get_redemption(conn, job.street_id, ends.redemption_id, lock=True)
    if redemption is not None and redemption.status == rules.PENDING and now >= redemption.expires_at:
        await settle(conn, redemption, rules.EXPIRED, now, by=None)
