"""The request line and headers, checked before a byte of the body is read: no NUL in the
query (PostgreSQL text cannot hold it), only strict UTF-8 text in the query, the path and the
header values, and a declared body within the limit — refused at the door rather than after
waiting for a body that would be refused anyway (a keyed POST would otherwise take its lock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.conventions.encoding import request_part_with_bad_text
from api.conventions.problems import FieldIssue
from api.edge.asgi import ASGIApp, header, send_problem


def _declared_length(scope: dict) -> int:
    value = header(scope, b"content-length")
    return int(value) if value and value.isdigit() else 0


def request_checks(app: ASGIApp, body_limit: Callable[[str, str], int]) -> ASGIApp:
    """``body_limit(method, path)``: the settings' limit, or an upload route's own."""

    async def handle(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
        elif b"%00" in scope.get("query_string", b""):
            await send_problem(scope, send, "validation_failed", [], errors=[FieldIssue("query", "nul_character")])
        elif (bad_text := request_part_with_bad_text(scope)) is not None:
            await send_problem(scope, send, "malformed_body", [], errors=[FieldIssue(bad_text, "invalid_utf8")])
        elif _declared_length(scope) > body_limit(scope["method"], scope["path"]):
            await send_problem(scope, send, "payload_too_large", [(b"connection", b"close")])
        else:
            await app(scope, receive, send)

    return handle
