"""Every error is a problem document: an error answered by framework code outside the
exception handler (the OpenAPI pages' own HTML 404, say) is replaced by the problem of its
status, keeping only the headers that still hold (Allow, Retry-After, WWW-Authenticate)."""

from __future__ import annotations

from typing import Any

from api.conventions.problems import PROBLEM_MEDIA_TYPE, code_for_status
from api.edge.asgi import ASGIApp, send_problem

_KEPT_HEADERS = (b"allow", b"retry-after", b"www-authenticate")


def _is_problem(start: dict) -> bool:
    return any(k.lower() == b"content-type" and v.split(b";")[0].strip() == PROBLEM_MEDIA_TYPE.encode()
               for k, v in start.get("headers", []))


def problem_answers(app: ASGIApp) -> ASGIApp:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        replaced = False

        async def send_problems(message: dict) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] >= 400 and not _is_problem(message):
                replaced = True
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() in _KEPT_HEADERS]
                await send_problem(scope, send, code_for_status(message["status"]), kept, status=message["status"])
            elif not replaced:  # (the body of a replaced answer is dropped)
                await send(message)

        await app(scope, receive, send_problems)

    return handle
