"""Street statistics (integrations.md §A): the figures of a street, community or building over
a period, and the same as a CSV or XLSX table with Chinese headers for the monthly report."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated, ClassVar, get_args

import asyncpg
from litestar import Controller, Request, Response, get
from litestar.enums import ParamType
from litestar.openapi.spec import OpenAPIType, Operation, Schema
from litestar.openapi.spec import Parameter as OpenAPIParameter
from litestar.params import Parameter
from openpyxl import Workbook

from api.business_time import business_clock
from api.conventions.openapi import READ, problems
from api.routes.common import BEARER
from api.schemas.stats import ExportFormat, Grouping, Scope, Stats, export_table, stats_view
from domain.errors import InvalidInput
from domain.permissions import Principal
from domain.stats import Statistics
from usecases import stats


@dataclass
class _ScopedOperation(Operation):
    """"scope" is a name litestar keeps for itself as a handler argument, so the handlers read
    it from the query string themselves; this puts it in the contract."""

    def __post_init__(self) -> None:
        self.parameters = [OpenAPIParameter(
            name="scope", param_in=ParamType.QUERY, required=False,
            description="street (default), community or building",
            schema=Schema(type=OpenAPIType.STRING, enum=list(get_args(Scope)), default="street")),
            *(self.parameters or [])]
IdQuery = Annotated[str | None, Parameter(query="id", max_length=64,
                                          description="The community or building (the street: its own id or none)")]
FromQuery = Annotated[date | None, Parameter(query="from", description="First day, inclusive, in the place's "
                                                                        "time zone (default: this month)")]
ToQuery = Annotated[date | None, Parameter(query="to", description="Last day, inclusive")]
GroupQuery = Annotated[Grouping | None, Parameter(query="group_by")]
FormatQuery = Annotated[ExportFormat, Parameter(query="format")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _statistics(request: Request, conn: asyncpg.Connection, principal: Principal,
                      place_id: str | None, start: date | None, end: date | None,
                      group_by: str | None) -> Statistics:
    scope = request.query_params.get("scope", "street")
    if scope not in get_args(Scope):
        raise InvalidInput("scope")
    now = await business_clock(request).now(conn)
    query = stats.StatsQuery(scope=scope, id=place_id, start=start, end=end, group_by=group_by)
    return await stats.statistics(conn, principal, query, now)


class StatsController(Controller):
    path = "/v1/stats"
    tags: ClassVar[list[str]] = ["statistics"]
    security = BEARER

    @get("", operation_id="getStats", summary="The figures of a street, community or building over a period "
         "(street: officers and platform clients with street:read; community: its staff; building: its leaders)",
         responses=problems((*READ, 422)), operation_class=_ScopedOperation)
    async def get_stats(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                        place_id: IdQuery = None, start: FromQuery = None,
                        end: ToQuery = None, group_by: GroupQuery = None) -> Stats:
        return stats_view(await _statistics(request, conn, principal, place_id, start, end, group_by))

    @get("/export", operation_id="exportStats", media_type="text/csv",
         summary="The same figures as a table with Chinese headers (CSV or XLSX), one row per group",
         responses=problems((*READ, 422)), operation_class=_ScopedOperation,
         opt={"answers_also": (XLSX,)})
    async def export_stats(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                           format: FormatQuery, place_id: IdQuery = None,
                           start: FromQuery = None, end: ToQuery = None,
                           group_by: GroupQuery = None) -> Response[bytes]:
        found = await _statistics(request, conn, principal, place_id, start, end, group_by)
        table = export_table(found)
        name = f"stats-{found.scope}-{found.period.start}-{found.period.end}"
        if format == "csv":
            text = io.StringIO()
            csv.writer(text).writerows(table)
            # With a BOM, so that spreadsheet software opens the Chinese headers as UTF-8.
            return Response(("\ufeff" + text.getvalue()).encode(), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
        book = Workbook()
        sheet = book.active
        sheet.title = "统计"
        for row in table:
            sheet.append(row)
        body = io.BytesIO()
        book.save(body)
        return Response(body.getvalue(), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
