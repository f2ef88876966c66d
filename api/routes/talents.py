"""The talent pool (楼组达人库): my talents and consent, a community's visible talents,
leaders' invitations of a talent to a task or activity, and my answers."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, post, put
from litestar.params import Parameter

from api.business_time import business_clock
from api.services import services_of
from api.conventions.etags import resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.schemas.talents import (
    CommunityTalent,
    Invitation,
    InvitationCreate,
    InvitationStatus,
    InvitationTransition,
    MyTalents,
    TalentsPut,
    community_talent_view,
    invitation_view,
    my_talents_view,
)
from domain.permissions import Principal
from store.paging import Keyset
from usecases import talents

TagQuery = Annotated[str | None, Parameter(query="tag", min_length=1, max_length=20)]
StatusQuery = Annotated[InvitationStatus | None, Parameter(query="status")]


class TalentController(Controller):
    path = "/v1"
    tags = ["talents"]
    security = BEARER

    @get("/me/talents", operation_id="getMyTalents", summary="My talents and my consent to show them",
         responses=problems(READ))
    async def mine(self, request: Request, conn: asyncpg.Connection, principal: Principal) -> Response[MyTalents]:
        return resource_response(request, my_talents_view(await talents.mine(conn, principal)))

    @put("/me/talents", operation_id="putMyTalents",
         summary="Replace my talents; visible needs consent to the current notice", responses=problems(WRITE))
    async def put_mine(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                       data: TalentsPut) -> Response[MyTalents]:
        now = await business_clock(request).now(tx)
        saved = await talents.put_mine(tx, principal, command_of(data, talents.PutTalents), now,
                                       services_of(request).content)
        return resource_response(request, my_talents_view(saved))

    @get("/communities/{community_id:str}/talents", operation_id="listCommunityTalents",
         summary="The community's talents who chose to be seen (masked names), newest first",
         responses=problems(READ))
    async def community(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, community_id: str,
                        tag: TagQuery = None) -> Page[CommunityTalent]:
        found = await talents.community_talents(conn, principal, known_id("community", community_id), tag, keyset)
        return page_of(found, keyset, community_talent_view)

    @post("/talents/{person_id:str}/invitations", operation_id="inviteTalent",
          summary="Invite a talent to a task or an activity (its leaders)", responses=problems(WRITE))
    async def invite(self, request: Request, tx: asyncpg.Connection, principal: Principal, person_id: str,
                     data: InvitationCreate) -> Response[Invitation]:
        invitation = await talents.invite(tx, principal, known_id("person", person_id),
                                          command_of(data, talents.NewInvitation))
        return resource_response(request, invitation_view(invitation), 201)

    @get("/me/invitations", operation_id="listMyInvitations", summary="Invitations I received, newest first",
         responses=problems(READ))
    async def my_invitations(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                             status: StatusQuery = None) -> Page[Invitation]:
        return page_of(await talents.my_invitations(conn, principal, keyset, status), keyset, invitation_view)

    @post("/invitations/{invitation_id:str}/transitions", operation_id="answerInvitation",
          summary="Accept or decline an invitation I received", responses=problems(WRITE), status_code=200)
    async def answer(self, request: Request, tx: asyncpg.Connection, principal: Principal, invitation_id: str,
                     data: InvitationTransition) -> Response[Invitation]:
        now = await business_clock(request).now(tx)
        answered = await talents.answer(tx, principal, known_id("talent_invitation", invitation_id),
                                        command_of(data, talents.Answer), now)
        return resource_response(request, invitation_view(answered))
