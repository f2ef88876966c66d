"""Bulk registry imports for the street office's platform: upload a file (multipart), follow
the job, read its per-row errors, cancel it; and the CSV template of each kind."""

from __future__ import annotations

from typing import ClassVar

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.handlers import HTTPRouteHandler

from api.business_time import business_clock
from api.conventions.openapi import PUBLIC, READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.conventions.problems import request_language
from api.conventions.uploads import accepts_upload, read_upload
from api.routes.common import BEARER, known_id
from api.schemas.imports import UPLOAD, ImportJob, ImportRowError, import_view, row_error_view
from domain import imports as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import imports


class ImportController(Controller):
    path = "/v1"
    tags: ClassVar[list[str]] = ["imports"]
    security = BEARER

    @post("/imports", operation_id="createImport", status_code=202,
          summary="Import communities, buildings or households from a file (platform: imports:write)",
          responses=problems(WRITE), **accepts_upload(UPLOAD))
    async def create_import(self, request: Request, tx: asyncpg.Connection, principal: Principal) -> Response[ImportJob]:
        now = await business_clock(request).now(tx)
        async with read_upload(request) as upload:
            job = await imports.start(tx, principal, kind=upload.fields["kind"], mode=upload.fields.get("mode"),
                                      file=upload.file, size=upload.size, sha256=upload.sha256, now=now)
        return Response(import_view(job), status_code=202, headers={"Location": f"/v1/imports/{job.id}"})

    @get("/imports/{import_id:str}", operation_id="getImport", summary="An import job's progress and counts",
         responses=problems(READ))
    async def get_import(self, conn: asyncpg.Connection, principal: Principal, import_id: str) -> ImportJob:
        return import_view(await imports.get(conn, principal, known_id("import", import_id)))

    @get("/imports/{import_id:str}/errors", operation_id="listImportErrors",
         summary="An import's per-row errors, by row", responses=problems(READ))
    async def list_errors(self, request: Request, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                          import_id: str) -> Page[ImportRowError]:
        found = await imports.errors(conn, principal, known_id("import", import_id), keyset)
        return page_of(found, keyset, row_error_view(request_language(request.headers)))  # type: ignore[arg-type]

    @post("/imports/{import_id:str}/cancel", operation_id="cancelImport", status_code=200,
          summary="Stop an import after the batch in flight", responses=problems(WRITE))
    async def cancel_import(self, tx: asyncpg.Connection, principal: Principal, import_id: str) -> ImportJob:
        return import_view(await imports.cancel(tx, principal, known_id("import", import_id)))


def _template_route(kind: str) -> HTTPRouteHandler:
    """``GET /v1/imports/templates/{kind}.csv``, one literal path per kind: a parameter there
    would make ``/v1/imports/{import_id}/cancel`` ambiguous to a reader of the contract."""
    name = f"{kind}.csv"

    async def template() -> Response[bytes]:
        # With a BOM: spreadsheet software then opens the Chinese headers as UTF-8.
        return Response(("\ufeff" + domain.template(kind)).encode(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    return get(f"/v1/imports/templates/{name}", operation_id=f"get{kind.capitalize()}ImportTemplate",
               tags=["imports"], security=[], summary=f"The CSV template of {kind}",
               media_type="text/csv; charset=utf-8", responses=problems(PUBLIC))(template)


IMPORT_TEMPLATES = [_template_route(kind) for kind in domain.KINDS]
