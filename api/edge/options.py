"""``OPTIONS`` (not a CORS preflight) answers 204 with every method the path answers: the
framework's own answer lists only the methods of one handler group of a path (litestar 2.x)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.edge.asgi import ASGIApp, header


def answer_options(app: ASGIApp, allowed_methods: Callable[[str], list[str] | None]) -> ASGIApp:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS" and not header(
                scope, b"access-control-request-method") and (methods := allowed_methods(scope["path"])) is not None:
            await send({"type": "http.response.start", "status": 204, "headers": [
                (b"allow", ", ".join(sorted({*methods, "OPTIONS"})).encode())]})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    return handle
