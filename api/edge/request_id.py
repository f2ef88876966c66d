"""``X-Request-Id``: echoed when sane (1–128 of ``[A-Za-z0-9._:-]``), else generated; kept in
the request's state, bound to every log line and sent back on every answer."""

from __future__ import annotations

import re
import uuid
from typing import Any

import structlog

from api.edge.asgi import ASGIApp, adding_headers, header

_SANE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")


def request_id(app: ASGIApp) -> ASGIApp:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = header(scope, b"x-request-id")
        value = incoming.decode() if incoming and _SANE_REQUEST_ID.match(incoming) else "req_" + uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = value
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=value)
        await app(scope, receive, adding_headers(send, [(b"x-request-id", value.encode())]))

    return handle
