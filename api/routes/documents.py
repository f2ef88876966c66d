"""A building's documents (居民公约, 议事规则): the version in force, the history, the filing
(备案) of a version with the street; and the diff of an amendment proposal."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.documents import AmendmentDiff, DocumentKind, DocumentVersion, diff_view, version_view
from domain import documents as model
from domain.permissions import Principal
from store.paging import Keyset
from usecases import documents

VersionNumber = Annotated[int, Parameter(ge=1, le=1_000_000, description="The version's number")]


class DocumentController(Controller):
    path = "/v1"
    tags = ["documents"]
    security = BEARER

    @get("/buildings/{building_id:str}/documents/{kind:str}", operation_id="getDocumentInForce",
         summary="Read the version in force of a building's document", responses=problems(READ))
    async def in_force(self, request: Request, conn: asyncpg.Connection, principal: Principal, building_id: str,
                       kind: DocumentKind) -> Response[DocumentVersion]:
        """The version in force of the building's convention (居民公约) or rules of procedure
        (议事规则). 404 `document_not_in_force` while the building has adopted none."""
        row = await documents.in_force(conn, principal, known_id("building", building_id), kind)
        return resource_response(request, version_view(row))

    @get("/buildings/{building_id:str}/documents/{kind:str}/versions", operation_id="listDocumentVersions",
         summary="List the versions of a building's document, newest first", responses=problems(READ))
    async def versions(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, building_id: str,
                       kind: DocumentKind) -> Page[DocumentVersion]:
        rows = await documents.versions(conn, principal, known_id("building", building_id), kind, keyset)
        return page_of(rows, keyset, version_view)

    @post("/buildings/{building_id:str}/documents/{kind:str}/versions/{number:int}/filing",
          operation_id="fileDocumentVersion", summary="File a version with the street (备案)",
          responses=problems(WRITE), status_code=200)
    async def file(self, request: Request, tx: asyncpg.Connection, principal: Principal, building_id: str,
                   kind: DocumentKind, number: VersionNumber) -> Response[DocumentVersion]:
        """A street officer (or the street's platform with `street:write`) files a version of either
        document, once: 409 `document_already_filed` after. Filing changes nothing about which
        version is in force."""
        def precondition(current: model.Version) -> None:
            check_if_match(request, version_view(current))

        now = await business_clock(request).now(tx)
        row = await documents.file(tx, principal, known_id("building", building_id), kind, number, now, precondition)
        return resource_response(request, version_view(row))

    @get("/proposals/{proposal_id:str}/amendment/diff", operation_id="getAmendmentDiff",
         summary="The diff an amendment proposal makes to the version in force", responses=problems(READ))
    async def diff(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                   proposal_id: str) -> Response[AmendmentDiff]:
        """Line by line (unified diff, as structured lines and as text) and, for rules of
        procedure, field by field. Once the amendment was adopted it is compared with the version
        it replaced. 404 for a proposal that carries no amendment."""
        row = await documents.amendment_diff(conn, principal, known_id("proposal", proposal_id))
        return resource_response(request, diff_view(row))
