"""Communities (社区/居民区) of the caller's street."""

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
from api.schemas.places import Community, CommunityCreate, CommunityUpdate, community_view
from domain import places as model
from domain.permissions import Principal
from store.paging import Keyset
from usecases import places


class CommunityController(Controller):
    path = "/v1/communities"
    tags = ["places"]
    security = BEARER

    @get(operation_id="listCommunities", summary="List the communities of the street",
         responses=problems(READ))
    async def list_communities(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
        external_id: Annotated[ExternalId | None, Parameter(query="external_id")] = None,
    ) -> Page[Community]:
        rows = await places.list_communities(conn, principal, keyset, external_id)
        return page_of(rows, keyset, community_view)

    @post(operation_id="createCommunity", summary="Create a community", responses=problems(WRITE))
    async def create_community(self, request: Request, tx: asyncpg.Connection,
                               principal: Principal, data: CommunityCreate) -> Response[Community]:
        row = await places.create_community(tx, principal, command_of(data, places.CommunityCreate))
        return resource_response(request, community_view(row), 201,
                                 headers={"Location": f"/v1/communities/{row.id}"})

    @get("/{community_id:str}", operation_id="getCommunity", summary="Read a community",
         responses=problems(READ))
    async def get_community(self, request: Request, conn: asyncpg.Connection,
                            principal: Principal, community_id: str) -> Response[Community]:
        row = await places.get_community(conn, principal, known_id("community", community_id))
        return resource_response(request, community_view(row))

    @patch("/{community_id:str}", operation_id="updateCommunity", summary="Change a community",
           responses=problems(WRITE))
    async def update_community(self, request: Request, tx: asyncpg.Connection,
                               principal: Principal, community_id: str,
                               data: CommunityUpdate) -> Response[Community]:
        def precondition(current: model.Community) -> None:
            check_if_match(request, community_view(current))

        row = await places.update_community(tx, principal, known_id("community", community_id),
                                            command_of(data, places.CommunityChange), precondition)
        return resource_response(request, community_view(row))
