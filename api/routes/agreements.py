"""Co-building agreements (共建协议) of a community or a building with a partner organisation:
draft, sign (both sides), terminate; the service moves them to active and expired by date."""

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
from api.schemas.agreements import (
    Agreement,
    AgreementCreate,
    AgreementStatus,
    AgreementTransition,
    AgreementUpdate,
    SignatureCreate,
    agreement_view,
)
from api.schemas.common import command_of
from api.services import services_of
from domain import agreements as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import agreements

IdQuery = Annotated[str | None, Parameter(max_length=64, pattern=r"^[\x21-\x7e]+$")]


class AgreementController(Controller):
    path = "/v1"
    tags = ["agreements"]
    security = BEARER

    @get("/communities/{community_id:str}/agreements", operation_id="listCommunityAgreements",
         summary="The community's co-building agreements (共建协议)", responses=problems(READ))
    async def list_agreements(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, community_id: str,
        status: Annotated[AgreementStatus | None, Parameter(query="status")] = None,
        organization_id: Annotated[IdQuery, Parameter(query="organization_id")] = None,
    ) -> Page[Agreement]:
        found = await agreements.page(conn, principal, known_id("community", community_id), keyset,
                                      status=status, organization_id=organization_id)
        return page_of(found, keyset, agreement_view)

    @post("/communities/{community_id:str}/agreements", operation_id="createAgreement",
          summary="Draft an agreement with a partner organisation (community staff)", responses=problems(WRITE))
    async def create_agreement(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                               community_id: str, data: AgreementCreate) -> Response[Agreement]:
        agreement = await agreements.create(tx, principal, known_id("community", community_id),
                                            command_of(data, agreements.NewAgreement), services_of(request).content)
        return resource_response(request, agreement_view(agreement), 201,
                                 headers={"Location": f"/v1/agreements/{agreement.id}"})

    @get("/agreements/{agreement_id:str}", operation_id="getAgreement", summary="Read an agreement",
         responses=problems(READ))
    async def get_agreement(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                            agreement_id: str) -> Response[Agreement]:
        agreement = await agreements.get(conn, principal, known_id("agreement", agreement_id))
        return resource_response(request, agreement_view(agreement))

    @patch("/agreements/{agreement_id:str}", operation_id="updateAgreement",
           summary="Change a draft agreement (community staff); its signatures so far are cleared",
           responses=problems(WRITE))
    async def update_agreement(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                               agreement_id: str, data: AgreementUpdate) -> Response[Agreement]:
        def precondition(current: domain.Agreement) -> None:
            check_if_match(request, agreement_view(current))

        agreement = await agreements.update(tx, principal, known_id("agreement", agreement_id),
                                            command_of(data, agreements.ChangeAgreement), precondition,
                                            services_of(request).content)
        return resource_response(request, agreement_view(agreement))

    @post("/agreements/{agreement_id:str}/signatures", operation_id="signAgreement",
          summary="Sign for a side: community staff for the community, a member for the organisation",
          responses=problems(WRITE), status_code=200)
    async def sign(self, request: Request, tx: asyncpg.Connection, principal: Principal, agreement_id: str,
                   data: SignatureCreate) -> Response[Agreement]:
        """With If-Match, the signature is refused (412) when the agreement changed since it was read."""
        def precondition(current: domain.Agreement) -> None:
            check_if_match(request, agreement_view(current))

        now = await business_clock(request).now(tx)
        agreement = await agreements.sign(tx, principal, known_id("agreement", agreement_id),
                                          command_of(data, agreements.Sign), now, precondition)
        return resource_response(request, agreement_view(agreement))

    @post("/agreements/{agreement_id:str}/transitions", operation_id="transitionAgreement",
          summary="Terminate an agreement (either side, with a reason)", responses=problems(WRITE), status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal, agreement_id: str,
                         data: AgreementTransition) -> Response[Agreement]:
        def precondition(current: domain.Agreement) -> None:
            check_if_match(request, agreement_view(current))

        now = await business_clock(request).now(tx)
        agreement = await agreements.transition(tx, principal, known_id("agreement", agreement_id),
                                                command_of(data, agreements.MoveAgreement), precondition, now)
        return resource_response(request, agreement_view(agreement))
