"""The signed-in person: profile, households, roles, erasure."""

from __future__ import annotations

import asyncpg
from litestar import Controller, Request, Response, delete, get, patch, post

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.services import services_of
from api.schemas.people import (
    JoinRequest,
    Me,
    Membership,
    MeUpdate,
    me_view,
    membership_view,
)
from api.schemas.roles import RoleGrant, role_view
from domain.permissions import Principal
from usecases import me, roles


class MeController(Controller):
    path = "/v1/me"
    tags = ["me"]
    security = BEARER

    @get(operation_id="getMe", summary="Read my profile, households, roles and points", responses=problems(READ))
    async def get_me(self, request: Request, conn: asyncpg.Connection, principal: Principal) -> Response[Me]:
        return resource_response(request, me_view(await me.profile(conn, principal)))

    @patch(operation_id="updateMe", summary="Change my nickname, real name or leaderboard opt-in", responses=problems(WRITE))
    async def update_me(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                        data: MeUpdate) -> Response[Me]:
        profile = await me.update_profile(tx, principal, command_of(data, me.ProfileChange),
                                          lambda current: check_if_match(request, me_view(current)),
                                          services_of(request).content)
        return resource_response(request, me_view(profile))

    @delete(operation_id="eraseMe", summary="Erase my personal data (PIPL)", responses=problems(WRITE))
    async def erase_me(self, request: Request, tx: asyncpg.Connection, principal: Principal) -> None:
        await me.erase(tx, principal, await business_clock(request).now(tx))

    @post("/memberships", operation_id="joinHousehold", summary="Join a household with an invite code",
          responses=problems(WRITE))
    async def join(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                   data: JoinRequest) -> Response[Membership]:
        membership = await me.join_household(tx, principal, data.invite_code)
        return resource_response(request, membership_view(membership), 201)

    @delete("/memberships/{membership_id:str}", operation_id="leaveHousehold", summary="Leave a household",
            responses=problems(WRITE))
    async def leave(self, tx: asyncpg.Connection, principal: Principal, membership_id: str) -> None:
        await me.leave_household(tx, principal, known_id("membership", membership_id))

    @post("/roles", operation_id="redeemRoleInvite", summary="Take up a role with a role invite code",
          responses=problems(WRITE))
    async def redeem(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                     data: JoinRequest) -> Response[RoleGrant]:
        return resource_response(request, role_view(await roles.redeem(tx, principal, data.invite_code)), 201)
