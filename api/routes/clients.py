"""API clients of the caller's street: mini-program clients are registered, changed and
disabled here (platform clients only through the operator command)."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
from litestar import Controller, Request, Response, delete, get, patch, post

from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER
from api.schemas.clients import Client, ClientCreate, ClientUpdate, client_view
from api.schemas.common import command_of
from api.services import services_of
from domain.errors import NotFound
from domain.permissions import Principal
from store.paging import Keyset
from usecases import clients

# Generated ids are cli_ + 16 characters; the demo's and operators' may be named (cli_demo_…).
_CLIENT_ID = re.compile(r"^cli_[a-z0-9_]{1,60}$")


def _client_id(value: str) -> str:
    if not _CLIENT_ID.match(value):
        raise NotFound("not_found")
    return value


class ClientController(Controller):
    path = "/v1/clients"
    tags = ["clients"]
    security = BEARER

    @get(operation_id="listClients", summary="List the street's API clients", responses=problems(READ))
    async def list_clients(self, conn: asyncpg.Connection, principal: Principal,
                           keyset: Keyset) -> Page[Client]:
        rows = await clients.list_clients(conn, principal, keyset)
        return page_of(rows, keyset, client_view)

    @post(operation_id="createClient", summary="Register a mini-program client", responses=problems(WRITE))
    async def create_client(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            data: ClientCreate) -> Response[Client]:
        row = await clients.register_miniprogram(tx, principal, services_of(request).sealer,
                                                 command_of(data, clients.MiniProgramCreate))
        return resource_response(request, client_view(row), 201, headers={"Location": f"/v1/clients/{row.id}"})

    @get("/{client_id:str}", operation_id="getClient", summary="Read an API client", responses=problems(READ))
    async def get_client(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                         client_id: str) -> Response[Client]:
        row = await clients.get_client(conn, principal, _client_id(client_id))
        return resource_response(request, client_view(row))

    @patch("/{client_id:str}", operation_id="updateClient", summary="Change a mini-program client",
           responses=problems(WRITE))
    async def update_client(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            client_id: str, data: ClientUpdate) -> Response[Client]:
        def precondition(current: Any) -> None:
            check_if_match(request, client_view(current))

        row = await clients.update_miniprogram(tx, principal, services_of(request).sealer, _client_id(client_id),
                                               command_of(data, clients.MiniProgramChange), precondition)
        return resource_response(request, client_view(row))

    @delete("/{client_id:str}", operation_id="deleteClient", summary="Disable a mini-program client",
            responses=problems(WRITE), status_code=204)
    async def delete_client(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            client_id: str) -> None:
        def precondition(current: Any) -> None:
            check_if_match(request, client_view(current))

        await clients.disable_miniprogram(tx, principal, _client_id(client_id), precondition)
