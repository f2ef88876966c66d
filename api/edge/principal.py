"""The caller, read from the bearer token into ``scope["user"]`` (None when there is none or
it is refused; the reason waits in the state for the routes that need a caller to answer 401
with it), and bound to every log line."""

from __future__ import annotations

from typing import Any

import structlog

from api.auth.tokens import KeyRing, TokenRejected
from api.edge.asgi import ASGIApp, header


def read_principal(app: ASGIApp, keyring: KeyRing) -> ASGIApp:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        scope["user"] = None
        authorization = header(scope, b"authorization")
        if authorization and authorization[:7].lower() == b"bearer ":
            try:
                scope["user"] = keyring.verify(authorization[7:].decode("latin-1").strip())
            except TokenRejected as rejected:
                scope["state"]["auth_error"] = rejected.code
        principal = scope["user"]
        structlog.contextvars.bind_contextvars(client_id=principal.client_id if principal else None,
                                               person_id=principal.person_id if principal else None)
        await app(scope, receive, send)

    return handle
