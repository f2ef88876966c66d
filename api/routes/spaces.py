"""Shared spaces (共享空间): their places, rules, availability and calendar feed secret."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

import asyncpg
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import RFC3339, Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.spaces import (
    Availability,
    CalendarToken,
    FreeRange,
    Space,
    SpaceCreate,
    SpaceUpdate,
    new_space,
    space_change,
    space_view,
)
from domain.errors import RuleViolation
from domain.permissions import Principal
from domain.spaces import Space as DomainSpace
from store.paging import Keyset
from usecases import bookings, spaces
from usecases.spaces import NewSpace, SpaceChange

Moment = Annotated[str, Parameter(pattern=RFC3339, max_length=40, description="RFC 3339 time with an offset.")]
EARLIEST, LATEST = datetime(2000, 1, 1).astimezone(), datetime(2100, 1, 1).astimezone()


def sane(moment: datetime, too_early: str = "invalid_period", too_late: str = "invalid_period") -> datetime:
    """Times outside 2000–2100 cannot be booked, closed or shown; refusing them (422) keeps
    date arithmetic safe."""
    if moment < EARLIEST:
        raise RuleViolation(too_early)
    if moment > LATEST:
        raise RuleViolation(too_late)
    return moment


def moment_of(text: str) -> datetime:
    """A query time that matched the RFC 3339 pattern but is no real time (month 13) is 422."""
    try:
        return sane(datetime.fromisoformat(text.upper()))
    except (ValueError, OverflowError):
        raise RuleViolation("invalid_period") from None


class SpaceController(Controller):
    path = "/v1"
    tags = ["spaces"]
    security = BEARER

    @get("/buildings/{building_id:str}/spaces", operation_id="listBuildingSpaces",
         summary="List the shared spaces of a building", responses=problems(READ))
    async def list_building_spaces(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                                   building_id: str) -> Page[Space]:
        found = await spaces.list_spaces(conn, principal, keyset, building_id=known_id("building", building_id))
        return page_of(found, keyset, space_view)

    @post("/buildings/{building_id:str}/spaces", operation_id="createBuildingSpace",
          summary="Create a shared space of a building (leaders)", responses=problems(WRITE))
    async def create_building_space(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                    building_id: str, data: SpaceCreate) -> Response[Space]:
        space = await spaces.create_space(tx, principal, _sane(new_space(data)),
                                          building_id=known_id("building", building_id))
        return resource_response(request, space_view(space), 201, headers={"Location": f"/v1/spaces/{space.id}"})

    @get("/communities/{community_id:str}/spaces", operation_id="listCommunitySpaces",
         summary="List the shared spaces of a community", responses=problems(READ))
    async def list_community_spaces(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                                    community_id: str) -> Page[Space]:
        found = await spaces.list_spaces(conn, principal, keyset, community_id=known_id("community", community_id))
        return page_of(found, keyset, space_view)

    @post("/communities/{community_id:str}/spaces", operation_id="createCommunitySpace",
          summary="Create a shared space of a community (community staff)", responses=problems(WRITE))
    async def create_community_space(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                     community_id: str, data: SpaceCreate) -> Response[Space]:
        space = await spaces.create_space(tx, principal, _sane(new_space(data)),
                                          community_id=known_id("community", community_id))
        return resource_response(request, space_view(space), 201, headers={"Location": f"/v1/spaces/{space.id}"})

    @get("/spaces", operation_id="listSpaces", summary="List the spaces the caller may book",
         responses=problems(READ))
    async def list_spaces(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset) -> Page[Space]:
        return page_of(await spaces.list_spaces(conn, principal, keyset), keyset, space_view)

    @get("/spaces/{space_id:str}", operation_id="getSpace", summary="Read a shared space", responses=problems(READ))
    async def get_space(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                        space_id: str) -> Response[Space]:
        space = await spaces.get_space(conn, principal, known_id("space", space_id))
        return resource_response(request, space_view(space))

    @patch("/spaces/{space_id:str}", operation_id="updateSpace", summary="Change a shared space (leaders)",
           responses=problems(WRITE))
    async def update_space(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                           space_id: str, data: SpaceUpdate) -> Response[Space]:
        def precondition(current: DomainSpace) -> None:
            check_if_match(request, space_view(current))

        space = await spaces.update_space(tx, principal, known_id("space", space_id), _sane(space_change(data)),
                                          precondition)
        return resource_response(request, space_view(space))

    @get("/spaces/{space_id:str}/availability", operation_id="getSpaceAvailability",
         summary="Free ranges of a space for a period (at most 31 days)", responses=problems(READ + (422,)))
    async def availability(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                           space_id: str, from_: Annotated[str, Parameter(query="from", pattern=RFC3339,
                                                                          max_length=40)],
                           to: Moment) -> Availability:
        space_id = known_id("space", space_id)
        start, end = moment_of(from_), moment_of(to)
        now = await business_clock(request).now(conn)
        space, free = await bookings.availability(conn, principal, space_id, start, end, now)
        rules = space.rules
        return Availability(space_id=space.id, timezone=space.timezone, slot_minutes=rules.slot_minutes,
                            min_minutes=rules.min_minutes, max_minutes=rules.max_minutes,
                            free=[FreeRange(a, b) for a, b in free])

    @post("/spaces/{space_id:str}/calendar-token", operation_id="rotateSpaceCalendarToken",
          summary="Rotate the secret of the space's calendar feed (leaders); shows the feed URL once",
          responses=problems(WRITE))
    async def rotate_calendar_token(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                    space_id: str) -> Response[CalendarToken]:
        space, token = await spaces.rotate_calendar_token(tx, principal, known_id("space", space_id))
        url = str(request.base_url).rstrip("/") + f"/v1/spaces/{space.id}/calendar.ics?token={token}"
        return Response(CalendarToken(space_id=space.id, token=token, feed_url=url), status_code=201,
                        headers={"Cache-Control": "no-store"})


Command = TypeVar("Command", NewSpace, SpaceChange)


def _sane(command: Command) -> Command:
    for closure in command.closures or []:
        sane(closure.start_at), sane(closure.end_at)
    return command
