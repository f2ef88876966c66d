"""Proposals (议题) of a building: raise, read, edit, support, move through the four steps,
the timeline of their stage changes; and what households do on a proposal: comments and
their moderation, options, the household's ballot, the result, evaluations."""

from __future__ import annotations

from typing import Annotated, Literal

import asyncpg
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.schemas.proposals import (
    Ballot,
    BallotCast,
    BallotVersion,
    Category,
    Comment,
    CommentCreate,
    CommentRef,
    Evaluate,
    HideRequest,
    HouseholdRef,
    Option,
    OptionCreate,
    Proposal,
    ProposalCreate,
    ProposalUpdate,
    Result,
    Stage,
    SupportRequest,
    TimelineEntry,
    TransitionRequest,
    ballot_version_view,
    ballot_view,
    comment_view,
    option_view,
    proposal_view,
    result_view,
    timeline_view,
)
from api.services import services_of
from domain.permissions import Principal
from domain.proposals import Proposal as ProposalModel
from store.paging import Keyset
from usecases import proposal_ballots, proposal_comments, proposals


def _view(principal: Principal):
    return lambda proposal: proposal_view(proposal, principal.person_id)


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
        proposal = await proposals.create(tx, principal, known_id("building", building_id),
                                          command_of(data, proposals.NewProposal), now,
                                          services_of(request).content)
        return resource_response(request, proposal_view(proposal, principal.person_id), 201,
                                 headers={"Location": f"/v1/proposals/{proposal.id}"})

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
        def precondition(current: ProposalModel) -> None:
            check_if_match(request, proposal_view(current, principal.person_id))

        row = await proposals.update(tx, principal, known_id("proposal", proposal_id),
                                     command_of(data, proposals.ProposalChanges), precondition,
                                     services_of(request).content)
        return resource_response(request, proposal_view(row, principal.person_id))

    @post("/proposals/{proposal_id:str}/transitions", operation_id="transitionProposal",
          summary="Move a proposal to another stage", responses=problems(WRITE), status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                         proposal_id: str, data: TransitionRequest) -> Response[Proposal]:
        def precondition(current: ProposalModel) -> None:
            check_if_match(request, proposal_view(current, principal.person_id))

        now = await business_clock(request).now(tx)
        ballot = None if data.ballot is None else command_of(data.ballot, proposals.BallotPlan)
        command = proposals.Transition(to=data.to, outcome=data.outcome, reason=data.reason,
                                       duplicate_of=data.duplicate_of, ballot=ballot)
        row = await proposals.transition(tx, principal, known_id("proposal", proposal_id), command, precondition, now)
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
        rows = await proposals.timeline(conn, principal, known_id("proposal", proposal_id), keyset)
        return page_of(rows, keyset, timeline_view)


class ProposalActivityController(Controller):
    """What households do on a proposal: comment, add options, vote, read the result, rate."""

    path = "/v1"
    tags = ["proposals"]
    security = BEARER

    @get("/proposals/{proposal_id:str}/comments", operation_id="listProposalComments",
         summary="List the comments of a proposal (threaded by parent_id)", responses=problems(READ))
    async def list_comments(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, proposal_id: str,
        parent_id: Annotated[CommentRef | None, Parameter(query="parent_id")] = None,  # type: ignore[valid-type]
    ) -> Page[Comment]:
        rows = await proposal_comments.page(conn, principal, known_id("proposal", proposal_id), keyset,
                                                  parent_id)
        return page_of(rows, keyset, lambda row: comment_view(row, principal.person_id))

    @post("/proposals/{proposal_id:str}/comments", operation_id="createProposalComment",
          summary="Comment on a proposal, or reply to a comment", responses=problems(WRITE))
    async def add_comment(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                          proposal_id: str, data: CommentCreate) -> Response[Comment]:
        row = await proposal_comments.add(tx, principal, known_id("proposal", proposal_id),
                                           command_of(data, proposal_comments.NewComment),
                                           services_of(request).content)
        return resource_response(request, comment_view(row, principal.person_id), 201)

    @post("/comments/{comment_id:str}/hide", operation_id="hideComment",
          summary="Hide a comment, with a reason (leaders)", responses=problems(WRITE), status_code=200)
    async def hide_comment(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                           comment_id: str, data: HideRequest) -> Response[Comment]:
        row = await proposal_comments.hide(tx, principal, known_id("comment", comment_id), data.reason)
        return resource_response(request, comment_view(row, principal.person_id))

    @get("/proposals/{proposal_id:str}/options", operation_id="listProposalOptions",
         summary="List the options of a proposal", responses=problems(READ))
    async def list_options(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                           proposal_id: str) -> Page[Option]:
        rows = await proposals.list_options(conn, principal, known_id("proposal", proposal_id), keyset)
        return page_of(rows, keyset, option_view)

    @post("/proposals/{proposal_id:str}/options", operation_id="createProposalOption",
          summary="Add an option (author or leader, before the vote)", responses=problems(WRITE))
    async def add_option(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                         proposal_id: str, data: OptionCreate) -> Response[Option]:
        row = await proposals.add_option(tx, principal, known_id("proposal", proposal_id),
                                        command_of(data, proposals.NewOption), services_of(request).content)
        return resource_response(request, option_view(row), 201)

    @put("/proposals/{proposal_id:str}/ballot", operation_id="castBallot",
         summary="Cast or change my household's ballot", responses=problems(WRITE))
    async def cast_ballot(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                          proposal_id: str, data: BallotCast) -> Response[Ballot]:
        now = await business_clock(request).now(tx)
        cast = await proposal_ballots.cast(tx, principal, known_id("proposal", proposal_id),
                                            command_of(data, proposal_ballots.BallotCommand), now)
        return resource_response(request, ballot_view(cast))

    @get("/proposals/{proposal_id:str}/ballot", operation_id="getMyBallot",
         summary="Read my household's ballot (never a secret choice)", responses=problems((*READ, 409, 422)))
    async def my_ballot(
        self, request: Request, conn: asyncpg.Connection, principal: Principal, proposal_id: str,
        household_id: Annotated[HouseholdRef | None, Parameter(query="household_id")] = None,  # type: ignore[valid-type]
    ) -> Response[Ballot]:
        cast = await proposal_ballots.mine(conn, principal, known_id("proposal", proposal_id), household_id)
        return resource_response(request, ballot_view(cast))

    @get("/proposals/{proposal_id:str}/ballot/history", operation_id="listMyBallotHistory",
         summary="Every version of my household's ballot and who cast it (never a secret choice)",
         responses=problems((*READ, 422)))
    async def ballot_history(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, proposal_id: str,
        household_id: Annotated[HouseholdRef | None, Parameter(query="household_id")] = None,  # type: ignore[valid-type]
    ) -> Page[BallotVersion]:
        rows = await proposal_ballots.history(conn, principal, known_id("proposal", proposal_id), household_id, keyset)
        return page_of(rows, keyset, ballot_version_view(proposal_id))

    @get("/proposals/{proposal_id:str}/result", operation_id="getProposalResult",
         summary="The vote's turnout while open; counts, decision and receipts after close",
         responses=problems((*READ, 409)))
    async def result(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                     proposal_id: str) -> Response[Result]:
        state = await proposal_ballots.result(conn, principal, known_id("proposal", proposal_id))
        return resource_response(request, result_view(state))

    @post("/proposals/{proposal_id:str}/evaluations", operation_id="evaluateProposal",
          summary="Rate the result for my household (结果评估)", responses=problems(WRITE))
    async def evaluate(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                       proposal_id: str, data: Evaluate) -> Response[Proposal]:
        row = await proposals.evaluate(tx, principal, known_id("proposal", proposal_id),
                                      command_of(data, proposals.Evaluation))
        return resource_response(request, proposal_view(row, principal.person_id), 201)
