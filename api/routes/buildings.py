"""Buildings (楼栋/楼组): listed per community or for the whole street."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter

from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import ExternalId, command_of
from api.schemas.places import Building, BuildingCreate, BuildingUpdate, building_view
from domain import places as model
from domain.permissions import Principal
from store.paging import Keyset
from usecases import places

ExternalIdFilter = Annotated[ExternalId | None, Parameter(query="external_id")]


class BuildingController(Controller):
    path = "/v1"
    tags = ["places"]
    security = BEARER

    @get("/buildings", operation_id="listBuildings",
         summary="List the buildings visible to the caller", responses=problems(READ))
    async def list_buildings(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                             external_id: ExternalIdFilter = None) -> Page[Building]:
        rows = await places.list_buildings(conn, principal, keyset, external_id=external_id)
        return page_of(rows, keyset, building_view)

    @get("/communities/{community_id:str}/buildings", operation_id="listCommunityBuildings",
         summary="List the buildings of a community", responses=problems(READ))
    async def list_community_buildings(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, community_id: str,
        external_id: ExternalIdFilter = None,
    ) -> Page[Building]:
        rows = await places.list_buildings(conn, principal, keyset, external_id=external_id,
                                           community_id=known_id("community", community_id))
        return page_of(rows, keyset, building_view)

    @post("/communities/{community_id:str}/buildings", operation_id="createBuilding",
          summary="Create a building in a community", responses=problems(WRITE))
    async def create_building(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              community_id: str, data: BuildingCreate) -> Response[Building]:
        row = await places.create_building(tx, principal, known_id("community", community_id),
                                           command_of(data, places.BuildingCreate))
        return resource_response(request, building_view(row), 201,
                                 headers={"Location": f"/v1/buildings/{row.id}"})

    @get("/buildings/{building_id:str}", operation_id="getBuilding", summary="Read a building",
         responses=problems(READ))
    async def get_building(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                           building_id: str) -> Response[Building]:
        row = await places.get_building(conn, principal, known_id("building", building_id))
        return resource_response(request, building_view(row))

    @patch("/buildings/{building_id:str}", operation_id="updateBuilding",
           summary="Change a building or its rules", responses=problems(WRITE))
    async def update_building(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              building_id: str, data: BuildingUpdate) -> Response[Building]:
        def precondition(current: model.Building) -> None:
            check_if_match(request, building_view(current))

        row = await places.update_building(tx, principal, known_id("building", building_id),
                                           command_of(data, places.BuildingChange), precondition)
        return resource_response(request, building_view(row))
