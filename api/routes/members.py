"""Who lives in a building (masked), household invites, and the audit log of reads of
personal data."""

from __future__ import annotations

from typing import Annotated, Literal

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.conventions.etags import resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.people import AuditEntry, Invite, InviteCreate, Member, audit_view, invite_view, member_view
from domain.permissions import Principal
from store.paging import Keyset
from usecases import me, members


class MemberController(Controller):
    path = "/v1"
    tags = ["people"]
    security = BEARER

    @get("/buildings/{building_id:str}/members", operation_id="listBuildingMembers",
         summary="List the residents of a building as others may see them", responses=problems(READ))
    async def list_members(
        self, request: Request, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, building_id: str,
        reveal: Annotated[Literal["contact"] | None, Parameter(
            query="reveal", description="`contact`: full real names and phone numbers, for community staff; "
                                        "every such read is written to the audit log")] = None,
    ) -> Page[Member]:
        rows, visibility = await members.list_members(
            conn, principal, known_id("building", building_id), keyset, reveal_contact=reveal == "contact",
            request_id=request.scope.get("state", {}).get("request_id"))
        return page_of(rows, keyset, lambda row: member_view(row, visibility))

    @get("/households/{household_id:str}/members", operation_id="listHouseholdMembers",
         summary="List a household's members and when each joined (its members and leaders)",
         responses=problems(READ))
    async def list_household_members(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                                     household_id: str) -> Page[Member]:
        rows, visibility = await members.list_household_members(conn, principal,
                                                                known_id("household", household_id), keyset)
        return page_of(rows, keyset, lambda row: member_view(row, visibility))

    @post("/households/{household_id:str}/invites", operation_id="createHouseholdInvite",
          summary="Create a one-time code for joining a household", responses=problems(WRITE))
    async def create_invite(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            household_id: str, data: InviteCreate) -> Response[Invite]:
        invite, code = await me.invite_to_household(tx, principal, known_id("household", household_id),
                                                    role=data.role, head=data.head)
        return resource_response(request, invite_view(invite, code), 201)

    @get("/audit", operation_id="listAuditEntries", summary="Reads of personal data in the street",
         responses=problems(READ))
    async def list_audit(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
        subject_id: Annotated[str | None, Parameter(query="subject_id", max_length=64)] = None,
    ) -> Page[AuditEntry]:
        return page_of(await members.audit_page(conn, principal, keyset, subject_id), keyset, audit_view)

