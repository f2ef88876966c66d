"""The street's event feed: every committed change, exactly once, in commit order."""

from __future__ import annotations

import re
from typing import Annotated

import asyncpg
from litestar import Controller, Request, get
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.openapi import READ, problems
from api.conventions.problems import ProblemError
from api.routes.common import BEARER
from api.schemas.events import EventPage, event_view
from domain.events import TYPE_LIST_PATTERN, parse_filters
from domain.permissions import Principal
from usecases import events

# The feed's cursor: opaque to clients, and every string its published pattern allows is one
# the server reads (a position below 2^60), so the contract and the check cannot disagree.
CURSOR_PATTERN = r"^e[0-9a-f]{1,15}$"
_CURSOR = re.compile(CURSOR_PATTERN)


def encode_cursor(position: int) -> str:
    return f"e{position:x}"


def decode_cursor(cursor: str) -> int:
    if not _CURSOR.fullmatch(cursor):
        raise ProblemError("invalid_cursor")
    return int(cursor[1:], 16)


class EventController(Controller):
    path = "/v1/events"
    tags = ["events"]
    security = BEARER

    @get(operation_id="listEvents", summary="Read the street's event feed, oldest first",
         description="A gap-free feed: paging with `after` sees every committed event once, in "
                     "commit order, and never one of a rolled-back change. Events are kept at "
                     "least 30 days.",
         responses=problems(READ))
    async def list_events(
        self, request: Request, conn: asyncpg.Connection, principal: Principal,
        after: Annotated[str | None, Parameter(
            pattern=CURSOR_PATTERN, description="The `next_cursor` of the previous page; none: from the oldest.")
        ] = None,
        types: Annotated[str | None, Parameter(
            max_length=2000, pattern=TYPE_LIST_PATTERN,
            description="Comma-separated event types (`task.created`) or wildcards (`task.*`).")] = None,
        limit: Annotated[int, Parameter(ge=1, le=100, description="Page size, 1–100.")] = 20,
    ) -> EventPage:
        position = decode_cursor(after) if after else 0
        filters = parse_filters(types.split(",") if types else [], "query.types", limit=None)
        now = await business_clock(request).now(conn)
        rows = await events.list_events(conn, principal, after=position, types=filters, limit=limit, now=now)
        page = rows[:limit]
        last = page[-1]["position"] if page else position
        return EventPage(data=[event_view(row) for row in page],
                         next_cursor=encode_cursor(last) if (page or after) else None,
                         has_more=len(rows) > limit)
