"""Households (户) of a building."""

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
from api.schemas.places import Household, HouseholdCreate, HouseholdUpdate, household_view
from domain import places as model
from domain.permissions import Principal
from store.paging import Keyset
from usecases import places


class HouseholdController(Controller):
    path = "/v1"
    tags = ["places"]
    security = BEARER

    @get("/buildings/{building_id:str}/households", operation_id="listHouseholds",
         summary="List the households of a building", responses=problems(READ))
    async def list_households(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, building_id: str,
        external_id: Annotated[ExternalId | None, Parameter(query="external_id")] = None,
    ) -> Page[Household]:
        rows = await places.list_households(conn, principal, known_id("building", building_id),
                                            keyset, external_id)
        return page_of(rows, keyset, household_view)

    @post("/buildings/{building_id:str}/households", operation_id="createHousehold",
          summary="Create a household in a building", responses=problems(WRITE))
    async def create_household(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                               building_id: str, data: HouseholdCreate) -> Response[Household]:
        row = await places.create_household(tx, principal, known_id("building", building_id),
                                            command_of(data, places.HouseholdCreate))
        return resource_response(request, household_view(row), 201,
                                 headers={"Location": f"/v1/households/{row.id}"})

    @get("/households/{household_id:str}", operation_id="getHousehold", summary="Read a household",
         responses=problems(READ))
    async def get_household(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                            household_id: str) -> Response[Household]:
        row = await places.get_household(conn, principal, known_id("household", household_id))
        return resource_response(request, household_view(row))

    @patch("/households/{household_id:str}", operation_id="updateHousehold",
           summary="Change a household", responses=problems(WRITE))
    async def update_household(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                               household_id: str, data: HouseholdUpdate) -> Response[Household]:
        def precondition(current: model.Household) -> None:
            check_if_match(request, household_view(current))

        row = await places.update_household(tx, principal, known_id("household", household_id),
                                            command_of(data, places.HouseholdChange), precondition)
        return resource_response(request, household_view(row))
