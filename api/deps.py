"""Dependencies every route uses: the caller, and the database connection of the request
(a transaction for writes, a plain connection for reads)."""

from __future__ import annotations

from typing import AsyncIterator

import asyncpg
from litestar import Request
from litestar.di import Provide

from api.conventions.idempotency import TX_STATE_KEY
from api.conventions.paging import paging
from api.conventions.problems import ProblemError
from api.services import services_of
from domain.permissions import Principal


def provide_principal(request: Request) -> Principal:
    """The authenticated caller, or 401 with the reason the token was refused."""
    principal = request.scope.get("user")
    if principal is None:
        code = request.scope.get("state", {}).get("auth_error", "unauthenticated")
        error = "invalid_token" if code != "unauthenticated" else None
        challenge = 'Bearer realm="bilin"' + (f', error="{error}"' if error else "")
        raise ProblemError(code, headers={"WWW-Authenticate": challenge})
    return principal


async def provide_tx(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """The request's transaction: the one the idempotency layer opened, or a new one that
    commits when the route returns and rolls back when it raises."""
    shared = request.scope.get("state", {}).get(TX_STATE_KEY)
    if shared is not None:
        yield shared
        return
    async with services_of(request).db.transaction() as conn:
        yield conn


async def provide_conn(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """A connection for reads (no transaction round trips)."""
    async with services_of(request).db.connection() as conn:
        yield conn


DEPENDENCIES = {
    "principal": Provide(provide_principal, sync_to_thread=False),
    "tx": Provide(provide_tx),
    "conn": Provide(provide_conn),
    "keyset": Provide(paging, sync_to_thread=False),
}
