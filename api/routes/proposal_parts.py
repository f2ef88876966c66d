"""The parts of a proposal: comments and their moderation, options, the household's ballot,
the result, evaluations."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, post, put
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.proposals import (
    Ballot,
    BallotCast,
    BallotVersion,
    Comment,
    CommentCreate,
    CommentRef,
    Evaluate,
    HideRequest,
    HouseholdRef,
    Option,
    OptionCreate,
    Proposal,
    Result,
    ballot_version_view,
    ballot_view,
    comment_view,
    option_view,
    proposal_view,
    result_view,
)
from domain.permissions import Principal
from store.paging import Keyset
from usecases import ballots, proposal_parts
from usecases.kernel import changes_of


class ProposalPartsController(Controller):
    path = "/v1"
    tags = ["proposals"]
    security = BEARER

    @get("/proposals/{proposal_id:str}/comments", operation_id="listProposalComments",
         summary="List the comments of a proposal (threaded by parent_id)", responses=problems(READ))
    async def list_comments(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, proposal_id: str,
        parent_id: Annotated[CommentRef | None, Parameter(query="parent_id")] = None,  # type: ignore[valid-type]
    ) -> Page[Comment]:
        rows = await proposal_parts.list_comments(conn, principal, known_id("proposal", proposal_id), keyset,
                                                  parent_id)
        return page_of(rows, keyset, lambda row: comment_view(row, principal.person_id))

    @post("/proposals/{proposal_id:str}/comments", operation_id="createProposalComment",
          summary="Comment on a proposal, or reply to a comment", responses=problems(WRITE))
    async def add_comment(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                          proposal_id: str, data: CommentCreate) -> Response[Comment]:
        row = await proposal_parts.add_comment(tx, principal, known_id("proposal", proposal_id), changes_of(data))
        return resource_response(request, comment_view(row, principal.person_id), 201)

    @post("/comments/{comment_id:str}/hide", operation_id="hideComment",
          summary="Hide a comment, with a reason (leaders)", responses=problems(WRITE), status_code=200)
    async def hide_comment(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                           comment_id: str, data: HideRequest) -> Response[Comment]:
        row = await proposal_parts.hide_comment(tx, principal, known_id("comment", comment_id), data.reason)
        return resource_response(request, comment_view(row, principal.person_id))

    @get("/proposals/{proposal_id:str}/options", operation_id="listProposalOptions",
         summary="List the options of a proposal", responses=problems(READ))
    async def list_options(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                           proposal_id: str) -> Page[Option]:
        rows = await proposal_parts.list_options(conn, principal, known_id("proposal", proposal_id), keyset)
        return page_of(rows, keyset, option_view)

    @post("/proposals/{proposal_id:str}/options", operation_id="createProposalOption",
          summary="Add an option (author or leader, before the vote)", responses=problems(WRITE))
    async def add_option(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                         proposal_id: str, data: OptionCreate) -> Response[Option]:
        row = await proposal_parts.add_option(tx, principal, known_id("proposal", proposal_id), changes_of(data))
        return resource_response(request, option_view(row), 201)

    @put("/proposals/{proposal_id:str}/ballot", operation_id="castBallot",
         summary="Cast or change my household's ballot", responses=problems(WRITE))
    async def cast_ballot(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                          proposal_id: str, data: BallotCast) -> Response[Ballot]:
        now = await business_clock(request).now(tx)
        cast = await ballots.cast(tx, principal, known_id("proposal", proposal_id), changes_of(data), now)
        return resource_response(request, ballot_view(cast))

    @get("/proposals/{proposal_id:str}/ballot", operation_id="getMyBallot",
         summary="Read my household's ballot (never a secret choice)", responses=problems((*READ, 409, 422)))
    async def my_ballot(
        self, request: Request, conn: asyncpg.Connection, principal: Principal, proposal_id: str,
        household_id: Annotated[HouseholdRef | None, Parameter(query="household_id")] = None,  # type: ignore[valid-type]
    ) -> Response[Ballot]:
        cast = await ballots.mine(conn, principal, known_id("proposal", proposal_id), household_id)
        return resource_response(request, ballot_view(cast))

    @get("/proposals/{proposal_id:str}/ballot/history", operation_id="listMyBallotHistory",
         summary="Every version of my household's ballot and who cast it (never a secret choice)",
         responses=problems((*READ, 422)))
    async def ballot_history(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, proposal_id: str,
        household_id: Annotated[HouseholdRef | None, Parameter(query="household_id")] = None,  # type: ignore[valid-type]
    ) -> Page[BallotVersion]:
        rows = await ballots.history(conn, principal, known_id("proposal", proposal_id), household_id, keyset)
        return page_of(rows, keyset, ballot_version_view)

    @get("/proposals/{proposal_id:str}/result", operation_id="getProposalResult",
         summary="The vote's turnout while open; counts, decision and receipts after close",
         responses=problems((*READ, 409)))
    async def result(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                     proposal_id: str) -> Response[Result]:
        document = await ballots.result(conn, principal, known_id("proposal", proposal_id))
        return resource_response(request, result_view(document))

    @post("/proposals/{proposal_id:str}/evaluations", operation_id="evaluateProposal",
          summary="Rate the result for my household (结果评估)", responses=problems(WRITE))
    async def evaluate(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                       proposal_id: str, data: Evaluate) -> Response[Proposal]:
        row = await proposal_parts.evaluate(tx, principal, known_id("proposal", proposal_id), changes_of(data))
        return resource_response(request, proposal_view(row, principal.person_id), 201)
