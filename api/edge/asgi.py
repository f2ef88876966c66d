"""What the edge's middlewares share: reading a header, and answering with a problem document
before the framework is reached."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from api.conventions.i18n import negotiate
from api.conventions.problems import PROBLEM_MEDIA_TYPE, FieldIssue, render, status_of

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


def header(scope: dict, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def adding_headers(send: Any, headers: list[tuple[bytes, bytes]]) -> Any:
    """``send`` with ``headers`` added to the response's start."""
    async def send_with_headers(message: dict) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *headers]
        await send(message)

    return send_with_headers


async def send_problem(scope: dict, send: Any, code: str, headers: list[tuple[bytes, bytes]],
                       errors: list[FieldIssue] | None = None, status: int | None = None) -> None:
    language = negotiate((header(scope, b"accept-language") or b"").decode("latin-1"))
    body = render(code, language=language, request_id=scope["state"].get("request_id", ""),
                  instance=scope["path"], errors=[e.localised(language) for e in errors] if errors else None,
                  status=status)
    await send({
        "type": "http.response.start", "status": status or status_of(code),
        "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()), *headers],
    })
    await send({"type": "http.response.body", "body": body})
