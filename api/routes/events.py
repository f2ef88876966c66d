"""The street's event feed: every committed change, exactly once, in commit order."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, get
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.openapi import READ, problems
from api.conventions.problems import ProblemError
from api.routes.common import BEARER
from api.schemas.events import EventPage, event_view
from api.services import services_of
from domain.events import TYPE_LIST_PATTERN, parse_filters
from domain.permissions import Principal
from usecases import events
from usecases.crypto import Sealer


def decode_cursor(sealer: Sealer, street_id: str, cursor: str) -> int:
    position = events.open_cursor(sealer, street_id, cursor)
    if position is None:  # malformed, tampered, or another street's: all the same to the caller
        raise ProblemError("invalid_cursor")
    return position


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
            pattern=events.CURSOR_PATTERN,
            description="The `next_cursor` of the previous page (opaque, valid for this street only); "
                        "none: from the oldest.")
        ] = None,
        types: Annotated[str | None, Parameter(
            max_length=2000, pattern=TYPE_LIST_PATTERN,
            description="Comma-separated event types (`task.created`) or wildcards (`task.*`).")] = None,
        limit: Annotated[int, Parameter(ge=1, le=100, description="Page size, 1–100.")] = 20,
    ) -> EventPage:
        sealer = services_of(request).sealer
        position = decode_cursor(sealer, principal.street_id, after) if after else 0
        filters = parse_filters(types.split(",") if types else [], "query.types", limit=None)
        now = await business_clock(request).now(conn)
        found = await events.list_events(conn, principal, after=position, types=filters, limit=limit, now=now)
        page = found[:limit]
        # At the end of the feed the caller's own cursor comes back as it was: poll from there.
        next_cursor = events.seal_cursor(sealer, principal.street_id, page[-1].position) if page else after
        return EventPage(data=[event_view(event) for event in page], next_cursor=next_cursor,
                         has_more=len(found) > limit)
