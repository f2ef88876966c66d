"""The test clock is global (one offset in the database, shared by the API and the workers):
tests that move it run in one xdist group and put it back afterwards."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import pytest


async def reset_clock(db: asyncpg.Pool, client: object) -> None:
    await db.execute("UPDATE test_clock SET offset_seconds = 0")
    client.app.state.services.clock.forget()  # the in-process API's cached offset


async def business_now(db: asyncpg.Pool) -> datetime:
    return await db.fetchval("SELECT clock_timestamp() + offset_seconds * interval '1 second' FROM test_clock")


@pytest.fixture
async def clock(db, client):
    """Use in tests that move the clock (and mark them ``xdist_group("clock")``)."""
    await reset_clock(db, client)
    yield
    await reset_clock(db, client)
