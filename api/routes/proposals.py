"""Proposals (议题) of a building: raise, read, edit, support, move through the four steps,
and the timeline of their stage changes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import asyncpg
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.proposals import (
    Category,
    HouseholdRef,
    Proposal,
    ProposalCreate,
    ProposalUpdate,
    Stage,
    SupportRequest,
    TimelineEntry,
    TransitionRequest,
    proposal_view,
    timeline_view,
)
from domain.permissions import Principal
from store.paging import Keyset
from usecases import proposal_parts, proposals
from usecases.kernel import changes_of


def _view(principal: Principal):  # noqa: ANN202 - a row → Proposal mapper for this caller
    return lambda row: proposal_view(row, principal.person_id)


class ProposalController(Controller):
    path = "/v1"
    tags = ["proposals"]
    security = BEARER

    @get("/buildings/{building_id:str}/proposals", operation_id="listProposals",
         summary="List the proposals of a building", responses=problems(READ))
    async def list_proposals(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, building_id: str,
        stage: Annotated[Stage | None, Parameter(query="stage")] = None,
        category: Annotated[Category | None, Parameter(query="category")] = None,  # type: ignore[valid-type]
        author: Annotated[Literal["me"] | None, Parameter(query="author")] = None,
    ) -> Page[Proposal]:
        rows = await proposals.list_for_building(conn, principal, known_id("building", building_id), keyset,
                                                 stage=stage, category=category, mine=author == "me")
        return page_of(rows, keyset, _view(principal))

    @post("/buildings/{building_id:str}/proposals", operation_id="createProposal",
          summary="Raise a proposal (议题征集)", responses=problems(WRITE))
    async def create_proposal(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              building_id: str, data: ProposalCreate) -> Response[Proposal]:
        now = await business_clock(request).now(tx)
        row = await proposals.create(tx, principal, known_id("building", building_id), changes_of(data), now)
        return resource_response(request, proposal_view(row, principal.person_id), 201,
                                 headers={"Location": f"/v1/proposals/{row['id']}"})

    @get("/proposals/{proposal_id:str}", operation_id="getProposal", summary="Read a proposal",
         responses=problems(READ))
    async def get_proposal(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                           proposal_id: str) -> Response[Proposal]:
        row = await proposals.get(conn, principal, known_id("proposal", proposal_id))
        return resource_response(request, proposal_view(row, principal.person_id))

    @patch("/proposals/{proposal_id:str}", operation_id="updateProposal",
           summary="Edit a proposal (its author, while collecting)", responses=problems(WRITE))
    async def update_proposal(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              proposal_id: str, data: ProposalUpdate) -> Response[Proposal]:
        def precondition(current: Any) -> None:
            check_if_match(request, proposal_view(current, principal.person_id))

        row = await proposals.update(tx, principal, known_id("proposal", proposal_id), changes_of(data),
                                     precondition)
        return resource_response(request, proposal_view(row, principal.person_id))

    @post("/proposals/{proposal_id:str}/transitions", operation_id="transitionProposal",
          summary="Move a proposal to another stage", responses=problems(WRITE), status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                         proposal_id: str, data: TransitionRequest) -> Response[Proposal]:
        def precondition(current: Any) -> None:
            check_if_match(request, proposal_view(current, principal.person_id))

        now = await business_clock(request).now(tx)
        row = await proposals.transition(tx, principal, known_id("proposal", proposal_id), changes_of(data),
                                         precondition, now)
        return resource_response(request, proposal_view(row, principal.person_id))

    @post("/proposals/{proposal_id:str}/supports", operation_id="supportProposal",
          summary="Support a proposal for my household", responses=problems(WRITE), status_code=200)
    async def support(self, request: Request, tx: asyncpg.Connection, principal: Principal, proposal_id: str,
                      data: SupportRequest) -> Response[Proposal]:
        now = await business_clock(request).now(tx)
        row = await proposals.support(tx, principal, known_id("proposal", proposal_id), data.household_id, now)
        return resource_response(request, proposal_view(row, principal.person_id))

    @delete("/proposals/{proposal_id:str}/supports/mine", operation_id="withdrawSupport",
            summary="Withdraw my household's support (while collecting)", responses=problems(WRITE))
    async def withdraw_support(
        self, tx: asyncpg.Connection, principal: Principal, proposal_id: str,
        household_id: Annotated[HouseholdRef | None, Parameter(query="household_id")] = None,  # type: ignore[valid-type]
    ) -> None:
        await proposals.withdraw_support(tx, principal, known_id("proposal", proposal_id), household_id)

    @get("/proposals/{proposal_id:str}/timeline", operation_id="listProposalTimeline",
         summary="Every stage change of a proposal: who, when, why", responses=problems(READ))
    async def timeline(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                       proposal_id: str) -> Page[TimelineEntry]:
        rows = await proposal_parts.timeline(conn, principal, known_id("proposal", proposal_id), keyset)
        return page_of(rows, keyset, timeline_view)
