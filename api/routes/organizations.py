"""Organisations and their members."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.conventions.etags import resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.schemas.organizations import Organization, OrganizationCreate, OrganizationKind, organization_view
from api.schemas.roles import RoleCreate, RoleGrant, RoleInvite, named_role, role_invite_view, role_view
from domain.permissions import Principal
from store.paging import Keyset
from usecases import organizations, roles


class OrganizationController(Controller):
    path = "/v1/organizations"
    tags = ["organizations"]
    security = BEARER

    @get(operation_id="listOrganizations", summary="List organisations", responses=problems(READ))
    async def list_organizations(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
        kind: Annotated[OrganizationKind | None, Parameter(query="kind")] = None,
    ) -> Page[Organization]:
        return page_of(await organizations.page(conn, principal, keyset, kind), keyset, organization_view)

    @post(operation_id="createOrganization", summary="Register an organisation", responses=problems(WRITE))
    async def create_organization(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                  data: OrganizationCreate) -> Response[Organization]:
        if data.community_id is not None:
            known_id("community", data.community_id)
        row = await organizations.create(tx, principal, command_of(data, organizations.OrganizationCreate))
        return resource_response(request, organization_view(row), 201,
                                 headers={"Location": f"/v1/organizations/{row.id}"})

    @get("/{organization_id:str}", operation_id="getOrganization", summary="Read an organisation",
         responses=problems(READ))
    async def get_organization(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                               organization_id: str) -> Response[Organization]:
        row = await organizations.get(conn, principal, known_id("organization", organization_id))
        return resource_response(request, organization_view(row))

    @post("/{organization_id:str}/members", operation_id="addOrganizationMember",
          summary="Add a person to an organisation", responses=problems(WRITE))
    async def add_member(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                         organization_id: str, data: RoleCreate) -> Response[RoleGrant]:
        row = await roles.add_organization_member(tx, principal, known_id("organization", organization_id),
                                             data.person_id, named_role(data))
        return resource_response(request, role_view(row), 201)

    @post("/{organization_id:str}/member-invites", operation_id="createOrganizationMemberInvite",
          summary="Invite someone, from anywhere, to become a member of an organisation",
          responses=problems(WRITE))
    async def invite_member(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            organization_id: str) -> Response[RoleInvite]:
        row, code = await roles.invite_organization_member(tx, principal, known_id("organization", organization_id))
        return resource_response(request, role_invite_view(row, code), 201)


