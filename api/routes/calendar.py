"""A space's busy times as an iCalendar (RFC 5545) feed for calendar apps. Public: the
per-space feed token in the URL is its credential (stored only as a digest)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from icalendar import Calendar, Event
from litestar import Request, Response, get
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.openapi import PUBLIC, problems
from api.routes.common import known_id
from usecases import bookings


@get("/v1/spaces/{space_id:str}/calendar.ics", operation_id="getSpaceCalendar", tags=["spaces"], security=[],
     summary="The space's busy times as an iCalendar feed (token from POST /spaces/{id}/calendar-token)",
     media_type="text/calendar", responses=problems(PUBLIC + (404,)))
async def space_calendar(request: Request, conn: asyncpg.Connection, space_id: str,
                         token: Annotated[str, Parameter(query="token", min_length=1, max_length=128,
                                                         pattern=r"^[A-Za-z0-9_-]+$")]) -> Response[bytes]:
    now = await business_clock(request).now(conn)
    space, busy = await bookings.calendar_feed(conn, known_id("space", space_id), token, now)
    calendar = Calendar()
    calendar.add("prodid", "-//Bilin//Shared spaces//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", space.name)
    calendar.add("x-wr-timezone", space.timezone)
    for booking in busy:
        event = Event()
        event.add("uid", f"{booking.id}@bilin")
        event.add("dtstamp", booking.updated_at)
        event.add("dtstart", booking.start_at)
        event.add("dtend", booking.end_at)
        event.add("summary", "已预约 Busy")
        event.add("transp", "OPAQUE")
        event.add("status", "TENTATIVE" if booking.status == "pending" else "CONFIRMED")
        calendar.add_component(event)
    return Response(calendar.to_ical(), media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=60"})
