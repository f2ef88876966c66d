"""The self-governance fund (自治金) of a community or a building: its figures, its public
entries (paged, or all of them as CSV), incomes; the expenses of a proposal's budget, their
approvals, rejection and objections."""

from __future__ import annotations

import csv
import io
from typing import Annotated, ClassVar

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.schemas.fund import (
    CSV_HEADERS,
    Entry,
    Expense,
    ExpenseCreate,
    ExpenseTransition,
    Fund,
    Income,
    IncomeCreate,
    Objection,
    ObjectionCreate,
    entry_view,
    expense_view,
    export_row,
    fund_view,
    income_view,
    objection_view,
)
from domain.fund import Expense as ExpenseModel
from domain.permissions import Principal
from store.paging import Keyset
from usecases import fund, fund_expenses

ProposalQuery = Annotated[str | None, Parameter(query="proposal_id", description="Only this proposal's entries")]


def _csv(entries: list, name: str) -> Response[bytes]:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(CSV_HEADERS)
    writer.writerows(export_row(entry) for entry in entries)
    # With a BOM, so that spreadsheet software opens the Chinese headers as UTF-8.
    return Response(("\ufeff" + text.getvalue()).encode(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


class FundController(Controller):
    path = "/v1"
    tags: ClassVar[list[str]] = ["fund"]
    security = BEARER

    @get("/communities/{community_id:str}/fund", operation_id="getCommunityFund",
         summary="The community's fund: balance, reserved and available (every resident of the community)",
         responses=problems(READ))
    async def community_fund(self, conn: asyncpg.Connection, principal: Principal, community_id: str) -> Fund:
        return fund_view(await fund.get(conn, principal, "community", known_id("community", community_id)))

    @get("/buildings/{building_id:str}/fund", operation_id="getBuildingFund",
         summary="A building's own fund (zero until its first income; public to its community)",
         responses=problems(READ))
    async def building_fund(self, conn: asyncpg.Connection, principal: Principal, building_id: str) -> Fund:
        return fund_view(await fund.get(conn, principal, "building", known_id("building", building_id)))

    @get("/communities/{community_id:str}/fund/entries", operation_id="listCommunityFundEntries",
         summary="The community fund's entries (income, reservation, release, expense), newest first",
         responses=problems(READ))
    async def community_entries(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                                community_id: str, proposal_id: ProposalQuery = None) -> Page[Entry]:
        found = await fund.entries(conn, principal, "community", known_id("community", community_id), keyset,
                                   proposal_id)
        return page_of(found, keyset, entry_view)

    @get("/buildings/{building_id:str}/fund/entries", operation_id="listBuildingFundEntries",
         summary="A building fund's entries, newest first", responses=problems(READ))
    async def building_entries(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                               building_id: str, proposal_id: ProposalQuery = None) -> Page[Entry]:
        found = await fund.entries(conn, principal, "building", known_id("building", building_id), keyset,
                                   proposal_id)
        return page_of(found, keyset, entry_view)

    @get("/communities/{community_id:str}/fund/entries/export", operation_id="exportCommunityFundEntries",
         media_type="text/csv", summary="Every entry of the community's fund as CSV, oldest first",
         responses=problems(READ))
    async def community_export(self, conn: asyncpg.Connection, principal: Principal,
                               community_id: str) -> Response[bytes]:
        entries = await fund.all_entries(conn, principal, "community", known_id("community", community_id))
        return _csv(entries, f"fund-{community_id}")

    @get("/buildings/{building_id:str}/fund/entries/export", operation_id="exportBuildingFundEntries",
         media_type="text/csv", summary="Every entry of a building's fund as CSV, oldest first",
         responses=problems(READ))
    async def building_export(self, conn: asyncpg.Connection, principal: Principal,
                              building_id: str) -> Response[bytes]:
        entries = await fund.all_entries(conn, principal, "building", known_id("building", building_id))
        return _csv(entries, f"fund-{building_id}")

    @post("/communities/{community_id:str}/fund/incomes", operation_id="recordCommunityFundIncome",
          summary="Record an income of the community's fund (community staff; platform: street:write)",
          responses=problems(WRITE))
    async def community_income(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                               community_id: str, data: IncomeCreate) -> Response[Income]:
        now = await business_clock(request).now(tx)
        income = await fund.record_income(tx, principal, "community", known_id("community", community_id),
                                          command_of(data, fund.NewIncome), now)
        return resource_response(request, income_view(income), 201)

    @post("/buildings/{building_id:str}/fund/incomes", operation_id="recordBuildingFundIncome",
          summary="Record an income of a building's own fund (its first opens it)", responses=problems(WRITE))
    async def building_income(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              building_id: str, data: IncomeCreate) -> Response[Income]:
        now = await business_clock(request).now(tx)
        income = await fund.record_income(tx, principal, "building", known_id("building", building_id),
                                          command_of(data, fund.NewIncome), now)
        return resource_response(request, income_view(income), 201)


class ExpenseController(Controller):
    path = "/v1"
    tags: ClassVar[list[str]] = ["fund"]
    security = BEARER

    @post("/proposals/{proposal_id:str}/expenses", operation_id="createExpense",
          summary="Claim an expense of an adopted proposal's budget (its author or a leader)",
          responses=problems(WRITE))
    async def create(self, request: Request, tx: asyncpg.Connection, principal: Principal, proposal_id: str,
                     data: ExpenseCreate) -> Response[Expense]:
        now = await business_clock(request).now(tx)
        expense = await fund_expenses.submit(tx, principal, known_id("proposal", proposal_id),
                                             command_of(data, fund_expenses.NewExpense), now)
        return resource_response(request, expense_view(expense), 201,
                                 headers={"Location": f"/v1/expenses/{expense.id}"})

    @get("/proposals/{proposal_id:str}/expenses", operation_id="listProposalExpenses",
         summary="A proposal's expenses, rejected ones with their reason, newest first", responses=problems(READ))
    async def list_expenses(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                            proposal_id: str) -> Page[Expense]:
        found = await fund_expenses.of_proposal(conn, principal, known_id("proposal", proposal_id), keyset)
        return page_of(found, keyset, expense_view)

    @get("/expenses/{expense_id:str}", operation_id="getExpense", summary="Read an expense",
         responses=problems(READ))
    async def get_expense(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                          expense_id: str) -> Response[Expense]:
        expense = await fund_expenses.get(conn, principal, known_id("expense", expense_id))
        return resource_response(request, expense_view(expense))

    @post("/expenses/{expense_id:str}/approvals", operation_id="approveExpense",
          summary="Approve an expense (community staff or an owners' committee member; never the claimant)",
          responses=problems(WRITE), status_code=200)
    async def approve(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                      expense_id: str) -> Response[Expense]:
        def precondition(current: ExpenseModel) -> None:
            check_if_match(request, expense_view(current))

        now = await business_clock(request).now(tx)
        expense = await fund_expenses.approve(tx, principal, known_id("expense", expense_id), now, precondition)
        return resource_response(request, expense_view(expense))

    @post("/expenses/{expense_id:str}/transitions", operation_id="transitionExpense",
          summary="Reject an expense with a reason (an approver; before it is posted)",
          responses=problems(WRITE), status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal, expense_id: str,
                         data: ExpenseTransition) -> Response[Expense]:
        def precondition(current: ExpenseModel) -> None:
            check_if_match(request, expense_view(current))

        now = await business_clock(request).now(tx)
        expense = await fund_expenses.transition(tx, principal, known_id("expense", expense_id),
                                                 command_of(data, fund_expenses.ExpenseMove), now, precondition)
        return resource_response(request, expense_view(expense))

    @post("/expenses/{expense_id:str}/objections", operation_id="objectToExpense",
          summary="Object to an expense during its publicity period (any resident of the community)",
          responses=problems(WRITE))
    async def object_to(self, request: Request, tx: asyncpg.Connection, principal: Principal, expense_id: str,
                        data: ObjectionCreate) -> Response[Objection]:
        now = await business_clock(request).now(tx)
        objection = await fund_expenses.object_to(tx, principal, known_id("expense", expense_id),
                                                  command_of(data, fund_expenses.NewObjection), now)
        return resource_response(request, objection_view(objection), 201)

    @get("/expenses/{expense_id:str}/objections", operation_id="listExpenseObjections",
         summary="The objections to an expense (the leaders of its building and above)", responses=problems(READ))
    async def objections(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                         expense_id: str) -> Page[Objection]:
        found = await fund_expenses.objections(conn, principal, known_id("expense", expense_id), keyset)
        return page_of(found, keyset, objection_view)
