"""Roles on scopes: building leaders, community staff, street officers; and role invites."""

from __future__ import annotations

import asyncpg
from litestar import Controller, Request, Response, delete, get, post

from api.conventions.etags import resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.roles import (
    RoleCreate,
    RoleGrant,
    RoleInvite,
    RoleInviteCreate,
    named_role,
    role_invite_view,
    role_view,
)
from domain.permissions import Principal
from store.paging import Keyset
from usecases import roles


class RoleController(Controller):
    path = "/v1"
    tags = ["roles"]
    security = BEARER

    @get("/buildings/{building_id:str}/roles", operation_id="listBuildingRoles",
         summary="List the leaders of a building", responses=problems(READ))
    async def list_building_roles(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                                  building_id: str) -> Page[RoleGrant]:
        rows = await roles.list_on_scope(conn, principal, "building_leader", known_id("building", building_id),
                                         keyset)
        return page_of(rows, keyset, role_view)

    @post("/buildings/{building_id:str}/roles", operation_id="grantBuildingRole",
          summary="Make a person a leader of a building", responses=problems(WRITE))
    async def grant_building_role(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                  building_id: str, data: RoleCreate) -> Response[RoleGrant]:
        row = await roles.grant(tx, principal, "building_leader", known_id("building", building_id), data.person_id,
                                named_role(data))
        return resource_response(request, role_view(row), 201)

    @get("/communities/{community_id:str}/roles", operation_id="listCommunityRoles",
         summary="List the staff of a community", responses=problems(READ))
    async def list_community_roles(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                                   community_id: str) -> Page[RoleGrant]:
        rows = await roles.list_on_scope(conn, principal, "community_staff", known_id("community", community_id),
                                         keyset)
        return page_of(rows, keyset, role_view)

    @post("/communities/{community_id:str}/roles", operation_id="grantCommunityRole",
          summary="Make a person community staff", responses=problems(WRITE))
    async def grant_community_role(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                   community_id: str, data: RoleCreate) -> Response[RoleGrant]:
        row = await roles.grant(tx, principal, "community_staff", known_id("community", community_id),
                                data.person_id, named_role(data))
        return resource_response(request, role_view(row), 201)

    @get("/streets/roles", operation_id="listStreetRoles", summary="List the street officers",
         responses=problems(READ))
    async def list_street_roles(self, conn: asyncpg.Connection, principal: Principal,
                                keyset: Keyset) -> Page[RoleGrant]:
        rows = await roles.list_on_scope(conn, principal, "street_officer", principal.street_id, keyset)
        return page_of(rows, keyset, role_view)

    @post("/streets/roles", operation_id="grantStreetRole", summary="Make a person a street officer",
          responses=problems(WRITE))
    async def grant_street_role(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                data: RoleCreate) -> Response[RoleGrant]:
        row = await roles.grant(tx, principal, "street_officer", principal.street_id, data.person_id,
                                named_role(data))
        return resource_response(request, role_view(row), 201)

    @delete("/roles/{role_id:str}", operation_id="revokeRole", summary="Revoke a role", responses=problems(WRITE))
    async def revoke_role(self, tx: asyncpg.Connection, principal: Principal, role_id: str) -> None:
        await roles.revoke(tx, principal, known_id("role", role_id))

    @post("/communities/{community_id:str}/role-invites", operation_id="createRoleInvite",
          summary="Invite someone not yet known to a role", responses=problems(WRITE))
    async def create_role_invite(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                 community_id: str, data: RoleInviteCreate) -> Response[RoleInvite]:
        row, code = await roles.invite(tx, principal, known_id("community", community_id), data.role,
                                       data.scope.type, data.scope.id)
        return resource_response(request, role_invite_view(row, code), 201)
