"""The pool gives connections back without asyncpg's reset round trip (store/db.py
``keep_session``): that is sound only while no request leaves session state behind. After a
write with an advisory lock (a ballot), a booking, a keyed request and reads, every pooled
connection is idle, holds no lock, no cursor, no LISTEN, and no setting changed for the session
(asyncpg itself turns ``jit`` off while it introspects a type and sets it back to its value: a
session-level source, the same value, which is why values are compared, not sources)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.proposals import proposal_to_vote
from tests.support.spaces import day_ahead, new_space, span
from tests.support.town import build_town

pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]

LEFT_BEHIND = """
SELECT (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory') AS advisory_locks,
       (SELECT count(*) FROM pg_cursors WHERE is_holdable) AS cursors,  -- others end with their transaction
       (SELECT count(*) FROM pg_listening_channels()) AS listening,
       (SELECT coalesce(array_agg(name ORDER BY name), '{}') FROM pg_settings
         WHERE source = 'session' AND setting IS DISTINCT FROM reset_val) AS session_settings
"""


async def _pooled_state(client) -> list[dict]:
    """What every idle connection of the app's pool carries, read on that connection (in the
    app's own event loop, where its connections live)."""
    return await asyncio.to_thread(client.blocking_portal.call, _read_pool, client.app.state.services.db.pool)


async def _read_pool(pool) -> list[dict]:
    held = [await pool.acquire() for _ in range(pool.get_idle_size())]
    try:
        states = []
        for conn in held:
            assert not conn.is_in_transaction()
            states.append(dict(await conn.fetchrow(LEFT_BEHIND)))
        return states
    finally:
        await asyncio.gather(*(pool.release(conn) for conn in held))


CLEAN = {"advisory_locks": 0, "cursors": 0, "listening": 0, "session_settings": []}


async def test_requests_leave_no_session_state_on_pooled_connections(client, db, test_settings, platform):
    town = await build_town(db, test_settings, platform)
    head, leader = town.people["head"], town.people["leader"]
    proposal = await proposal_to_vote(client, head, leader, town.building, now=await business_now(db))
    url = f"/v1/proposals/{proposal['id']}"
    for _ in range(3):  # the ballot takes a transaction-scoped advisory lock
        assert (await client.put(f"{url}/ballot", headers=head.headers(), json={"choice": "yes"})).status_code in (200, 201)
    space = await new_space(client, town)
    keyed = {**head.headers(), "Idempotency-Key": str(uuid.uuid4())}
    booked = await client.post(f"/v1/spaces/{space['id']}/bookings", headers=keyed,
                               json={**span(await day_ahead(db), 60), "attendees": 1})
    assert booked.status_code == 201, booked.text
    for path in (url, "/v1/me", f"/v1/buildings/{town.building}/proposals", "/v1/buildings/nope"):
        await client.get(path, headers=head.headers())
    states = await _pooled_state(client)
    assert states and all(state == CLEAN for state in states), states


async def test_the_check_sees_state_left_behind(client, platform):
    """The control: a session-level setting and lock left on a connection are seen (the pool
    no longer resets them — which is why the service must never leave them)."""
    await client.get("/v1/me", headers=platform.headers())
    pool = client.app.state.services.db.pool

    async def leave_state_behind() -> None:
        async with pool.acquire() as conn:
            await conn.execute("SET work_mem = '1MB'; SELECT pg_advisory_lock(42)")

    async def clean_up() -> None:
        held = [await pool.acquire() for _ in range(pool.get_idle_size())]
        for conn in held:
            await conn.execute("RESET ALL; SELECT pg_advisory_unlock_all()")
        await asyncio.gather(*(pool.release(conn) for conn in held))

    await asyncio.to_thread(client.blocking_portal.call, leave_state_behind)
    try:
        states = await _pooled_state(client)
        assert {"advisory_locks": 1, "cursors": 0, "listening": 0, "session_settings": ["work_mem"]} in states
    finally:
        await asyncio.to_thread(client.blocking_portal.call, clean_up)
