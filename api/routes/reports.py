"""Reports (问题上报, 一线预警): raise, triage, convert into a task, give feedback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.routes.media import media_link
from api.schemas.common import command_of
from api.schemas.reports import (
    FeedbackCreate,
    Report,
    ReportCategory,
    ReportCreate,
    ReportStatus,
    ReportTaskCreate,
    ReportTransition,
    Urgency,
    report_view,
)
from api.schemas.tasks import Task, task_view
from api.services import services_of
from domain import reports as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import reports, tasks


def _view(request: Request, principal: Principal) -> Callable[[domain.Report], Report]:
    """The view of a report for this caller (``reported_by_me``), its photos signed."""
    link = media_link(request)
    return lambda report: report_view(report, principal.person_id, link)


class ReportController(Controller):
    path = "/v1"
    tags = ["reports"]
    security = BEARER

    @get("/buildings/{building_id:str}/reports", operation_id="listBuildingReports",
         summary="List the reports of a building (leaders: all; residents: their own)", responses=problems(READ))
    async def list_reports(
        self, request: Request, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, building_id: str,
        status: Annotated[ReportStatus | None, Parameter(query="status")] = None,
        category: Annotated[ReportCategory | None, Parameter(query="category")] = None,
        urgency: Annotated[Urgency | None, Parameter(query="urgency")] = None,
    ) -> Page[Report]:
        found = await reports.list_for_building(conn, principal, known_id("building", building_id), keyset,
                                                status=status, category=category, urgency=urgency)
        return page_of(found, keyset, _view(request, principal))

    @post("/buildings/{building_id:str}/reports", operation_id="createReport",
          summary="Report a problem of the building", responses=problems(WRITE))
    async def create_report(self, request: Request, tx: asyncpg.Connection, principal: Principal, building_id: str,
                            data: ReportCreate) -> Response[Report]:
        report = await reports.create(tx, principal, known_id("building", building_id),
                                      command_of(data, reports.RaiseReport), services_of(request).content)
        return resource_response(request, _view(request, principal)(report), 201,
                                 headers={"Location": f"/v1/reports/{report.id}"})

    @get("/reports/{report_id:str}", operation_id="getReport", summary="Read a report", responses=problems(READ))
    async def get_report(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                         report_id: str) -> Response[Report]:
        report = await reports.get(conn, principal, known_id("report", report_id))
        return resource_response(request, _view(request, principal)(report))

    @post("/reports/{report_id:str}/transitions", operation_id="transitionReport",
          summary="Move a report (leaders): acknowledge, work, resolve, close, reject or mark duplicate",
          responses=problems(WRITE), status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal, report_id: str,
                         data: ReportTransition) -> Response[Report]:
        def precondition(current: domain.Report) -> None:
            check_if_match(request, _view(request, principal)(current))

        now = await business_clock(request).now(tx)
        report = await reports.transition(tx, principal, known_id("report", report_id),
                                          command_of(data, reports.MoveReport), precondition, now)
        return resource_response(request, _view(request, principal)(report))

    @post("/reports/{report_id:str}/tasks", operation_id="convertReportToTask",
          summary="Turn a report into a linked task (leaders)", responses=problems(WRITE))
    async def convert(self, request: Request, tx: asyncpg.Connection, principal: Principal, report_id: str,
                      data: ReportTaskCreate) -> Response[Task]:
        command = command_of(data, tasks.TaskOfReport)
        now = await business_clock(request).now(tx)
        task = await tasks.from_report(tx, principal, known_id("report", report_id), command, now)
        return resource_response(request, task_view(task), 201, headers={"Location": f"/v1/tasks/{task.id}"})

    @post("/reports/{report_id:str}/feedback", operation_id="giveReportFeedback",
          summary="Rate the resolution (the reporter, after it is resolved); closes the report",
          responses=problems(WRITE), status_code=200)
    async def feedback(self, request: Request, tx: asyncpg.Connection, principal: Principal, report_id: str,
                       data: FeedbackCreate) -> Response[Report]:
        now = await business_clock(request).now(tx)
        report = await reports.feedback(tx, principal, known_id("report", report_id),
                                        command_of(data, reports.GiveFeedback), now)
        return resource_response(request, _view(request, principal)(report))
