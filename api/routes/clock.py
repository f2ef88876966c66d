"""The test clock (resources.md §6): see deadlines act without waiting for days. Registered
only when the test clock is enabled (test and development configurations), so in production
the route does not exist (404). No token: it is a property of the whole test service."""

from __future__ import annotations

import asyncpg
from litestar import Controller, Request, get, post

from api.business_time import business_clock
from api.conventions.openapi import PUBLIC, problems
from api.schemas.clock import BusinessTime, ClockAdvance
from service.settings import Settings


class ClockController(Controller):
    path = "/v1/test-clock"
    tags = ["test clock"]
    security = []

    @get(operation_id="getTestClock", summary="Read the service's business time (test configurations only)",
         responses=problems(PUBLIC))
    async def get_clock(self, request: Request, conn: asyncpg.Connection) -> BusinessTime:
        clock = business_clock(request)
        now = await clock.now(conn)
        return BusinessTime(now=now, advanced_seconds=clock.offset_seconds)

    @post(operation_id="advanceTestClock", status_code=200,
          summary="Move business time forward (test configurations only)",
          description="The API and the worker move together; every clock-driven job that falls "
                      "due is acted on within 5 seconds. Token expiry, webhook timestamps and rate "
                      "limits keep the real clock.",
          responses=problems(PUBLIC + (413, 415)))
    async def advance_clock(self, request: Request, tx: asyncpg.Connection, data: ClockAdvance) -> BusinessTime:
        clock = business_clock(request)
        now = await clock.advance(tx, data.advance_seconds)
        return BusinessTime(now=now, advanced_seconds=clock.offset_seconds)


def clock_routes(settings: Settings) -> list[type[Controller]]:
    return [ClockController] if settings.test_clock_enabled else []

