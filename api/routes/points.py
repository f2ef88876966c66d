"""A street's settings (积分细则) and public-welfare points: my points and their transfers,
leaders' awards, a building's opt-in leaderboard."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.schemas.points import (
    AwardCreate,
    Leaderboard,
    MyPoints,
    Period,
    PointsTransfer,
    StreetSettings,
    StreetSettingsUpdate,
    leaderboard_view,
    points_view,
    settings_view,
    transfer_view,
)
from domain import points as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import points, street_settings

PeriodQuery = Annotated[Period, Parameter(query="period", description="month and year: in the street's time zone")]
LEADERBOARD_SIZE = 50


class PointsController(Controller):
    path = "/v1"
    tags = ["points"]
    security = BEARER

    @get("/streets/settings", operation_id="getStreetSettings",
         summary="Read the street's settings (street officers; platform: street:read)", responses=problems(READ))
    async def get_settings(self, request: Request, conn: asyncpg.Connection,
                           principal: Principal) -> Response[StreetSettings]:
        return resource_response(request, settings_view(await street_settings.get(conn, principal)))

    @patch("/streets/settings", operation_id="updateStreetSettings",
           summary="Change the street's settings (street officers; platform: street:write)",
           responses=problems(WRITE))
    async def update_settings(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              data: StreetSettingsUpdate) -> Response[StreetSettings]:
        def precondition(current: domain.StreetSettings) -> None:
            check_if_match(request, settings_view(current))

        now = await business_clock(request).now(tx)
        updated = await street_settings.update(tx, principal, command_of(data, street_settings.ChangeSettings),
                                               precondition, now)
        return resource_response(request, settings_view(updated))

    @get("/me/points", operation_id="getMyPoints", summary="My points in the token's street",
         responses=problems(READ))
    async def my_points(self, request: Request, conn: asyncpg.Connection, principal: Principal) -> Response[MyPoints]:
        return resource_response(request, points_view(await points.mine(conn, principal)))

    @get("/me/points/transfers", operation_id="listMyPointsTransfers",
         summary="The transfers of my points account, newest first", responses=problems(READ))
    async def my_transfers(self, conn: asyncpg.Connection, principal: Principal,
                           keyset: Keyset) -> Page[PointsTransfer]:
        return page_of(await points.my_transfers(conn, principal, keyset), keyset, transfer_view)

    @post("/points/awards", operation_id="awardPoints",
          summary="Award points to a resident (leaders; capped per leader per day)", responses=problems(WRITE))
    async def award(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                    data: AwardCreate) -> Response[PointsTransfer]:
        now = await business_clock(request).now(tx)
        moved = await points.award(tx, principal, command_of(data, points.Award), now)
        return resource_response(request, transfer_view(moved), 201)

    @get("/buildings/{building_id:str}/points/leaderboard", operation_id="getBuildingPointsLeaderboard",
         summary="The building's points leaderboard: residents who opted in, masked names", responses=problems(READ))
    async def leaderboard(self, request: Request, conn: asyncpg.Connection, principal: Principal, building_id: str,
                          period: PeriodQuery = "month") -> Response[Leaderboard]:
        now = await business_clock(request).now(conn)
        standings = await points.leaderboard(conn, principal, known_id("building", building_id), period, now,
                                             LEADERBOARD_SIZE)
        return resource_response(request, leaderboard_view(period, standings))
