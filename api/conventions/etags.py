"""Strong ETags for single resources, computed from the exact bytes sent, so the tag
changes whenever the representation does (counts included) and never otherwise."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response

from api.conventions.problems import ProblemError

JSON_MEDIA_TYPE = "application/json"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def resource_response(request: Request, resource: Any, status_code: int = 200,
                      headers: dict[str, str] | None = None) -> Response[Any]:
    """Encode one resource with its ETag; answer 304 to a matching If-None-Match."""
    body = msgspec.json.encode(resource)
    tag = etag_of(body)
    all_headers = {"ETag": tag, **(headers or {})}
    if request.method in ("GET", "HEAD"):
        wanted = request.headers.get("if-none-match")
        # If-None-Match uses the weak comparison (RFC 9110 §13.1.2).
        if wanted and (wanted.strip() == "*" or tag in [t.removeprefix("W/") for t in _tags(wanted)]):
            return Response(content=b"", status_code=304, headers=all_headers)
    return Response(content=body, status_code=status_code, media_type=JSON_MEDIA_TYPE,
                    headers=all_headers)


def check_if_match(request: Request, current: Any) -> None:
    """412 when the client's If-Match names another version than ``current`` (read under
    the row lock of the same transaction). If-Match is optional: without it, no check."""
    wanted = request.headers.get("if-match")
    if not wanted or wanted.strip() == "*":
        return
    # If-Match uses the strong comparison: a weak tag never matches.
    if etag_of(msgspec.json.encode(current)) not in _tags(wanted):
        raise ProblemError("precondition_failed")
