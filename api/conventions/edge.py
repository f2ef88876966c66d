"""The outermost layer of every request, before routing, so that even an unknown path gets
its request id, rate-limit headers, log line and metrics.

In order: ``X-HTTP-Method-Override`` (WeChat's wx.request cannot send PATCH), the request id
bound to every log line, the caller read from the bearer token (checked later by the routes
that need it), the rate limit, the request line and headers checked (no NUL in the query, only
UTF-8 text, a declared body within the limit), then the framework's router. On the way out:
any error answer that is not yet a problem document becomes one, and a client that left
before its answer began is logged as ``client_disconnected`` with status 499."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog

from api.auth.tokens import KeyRing, TokenRejected
from api.conventions import metrics
from api.conventions.encoding import request_part_with_bad_text
from api.conventions.i18n import negotiate
from api.conventions.problems import PROBLEM_MEDIA_TYPE, FieldIssue, code_for_status, render, status_of
from api.conventions.ratelimit import Bucket, RateLimiter, header_values
from service.settings import Settings

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]
log = structlog.get_logger("bilin.access")

_OVERRIDABLE = {b"PATCH": "PATCH", b"DELETE": "DELETE"}
_SANE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")
TOKEN_PATH = "/v1/auth/token"
# Probes answer the orchestrator however busy the service is. /metrics is counted like any
# anonymous request: a scraper needs a few a minute, a token guesser far more.
_UNLIMITED_PATHS = ("/healthz", "/readyz")
CLIENT_CLOSED_REQUEST = 499


@dataclass
class EdgeServices:
    settings: Settings
    keyring: KeyRing
    limiter: RateLimiter
    # path -> the methods it answers; the framework's own OPTIONS answer lists only the
    # methods of one handler group of a path (litestar 2.x), so the edge answers OPTIONS itself.
    allowed_methods: Callable[[str], list[str] | None] = lambda path: None


def _header(scope: dict, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def _buckets(scope: dict, settings: Settings) -> list[Bucket]:
    principal = scope.get("user")
    address = (scope.get("client") or ("unknown",))[0]
    if scope["path"] == TOKEN_PATH:
        return [Bucket("token", address, settings.rate_limit_token)]
    if principal is None:
        return [Bucket("anonymous", address, settings.rate_limit_anonymous)]
    buckets = [Bucket("client", principal.client_id, settings.rate_limit_client)]
    if principal.person_id:
        buckets.append(Bucket("person", principal.person_id, settings.rate_limit_person))
    return buckets


def edge(app: ASGIApp, services: EdgeServices) -> ASGIApp:
    settings, keyring, limiter = services.settings, services.keyring, services.limiter

    async def handle(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        if scope["method"] == "POST":
            override = _header(scope, b"x-http-method-override")
            if override and override.upper() in _OVERRIDABLE:
                scope["method"] = _OVERRIDABLE[override.upper()]

        incoming = _header(scope, b"x-request-id")
        request_id = incoming.decode() if incoming and _SANE_REQUEST_ID.match(incoming) else (
            "req_" + uuid.uuid4().hex)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id

        scope["user"] = None
        authorization = _header(scope, b"authorization")
        if authorization and authorization[:7].lower() == b"bearer ":
            try:
                scope["user"] = keyring.verify(authorization[7:].decode("latin-1").strip())
            except TokenRejected as rejected:
                state["auth_error"] = rejected.code
        principal = scope["user"]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=request_id,
            client_id=principal.client_id if principal else None,
            person_id=principal.person_id if principal else None,
        )

        extra = [(b"x-request-id", request_id.encode())]
        limited_by = None
        if not scope["path"].startswith(_UNLIMITED_PATHS):
            states = await limiter.hit(_buckets(scope, settings))
            policy, current = header_values(states)
            extra += [(b"ratelimit-policy", policy.encode()), (b"ratelimit", current.encode())]
            limited_by = next((s for s in states if s.exceeded), None)

        status_holder = {"status": 500, "started": False}

        async def watched_receive() -> dict:
            message = await receive()
            if message["type"] == "http.disconnect" and not status_holder["started"]:
                # The client left before its answer began (mid-body, say): whatever the app
                # makes of the missing body is not a fault of the service.
                state["client_disconnected"] = True
            return message

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                status_holder["started"] = True
                status_holder["status"] = message["status"]
                if message["status"] >= 400 and not _is_problem(message):
                    # An error answered by framework code outside the exception handler (the
                    # OpenAPI pages' own HTML 404, say): every error is a problem document.
                    status_holder["replaced"] = True
                    await _send_problem(scope, send, code_for_status(message["status"]), request_id,
                                        [*_kept_headers(message), *extra], status=message["status"])
                    return
                message["headers"] = list(message.get("headers", [])) + extra
            elif status_holder.get("replaced"):
                return  # the body of the replaced answer
            await send(message)

        try:
            if limited_by is not None:
                await _send_problem(scope, send_with_headers, "rate_limited", request_id,
                                    [(b"retry-after", str(limited_by.reset_seconds).encode())])
            elif b"%00" in scope.get("query_string", b""):
                # PostgreSQL text cannot hold NUL; refuse it at the door rather than fail later.
                await _send_problem(scope, send_with_headers, "validation_failed", request_id, [],
                                    errors=[FieldIssue("query", "nul_character")])
            elif (bad_text := request_part_with_bad_text(scope)) is not None:
                await _send_problem(scope, send_with_headers, "malformed_body", request_id, [],
                                    errors=[FieldIssue(bad_text, "invalid_utf8")])
            elif _declared_length(scope) > settings.max_body_bytes:
                # Refused before a byte of the body is read: nothing would wait for a body
                # that will be refused anyway (a keyed POST would otherwise take its lock).
                await _send_problem(scope, send_with_headers, "payload_too_large", request_id,
                                    [(b"connection", b"close")])
            elif scope["method"] == "OPTIONS" and not _header(scope, b"access-control-request-method") and (
                    methods := services.allowed_methods(scope["path"])) is not None:
                await send_with_headers({"type": "http.response.start", "status": 204, "headers": [
                    (b"allow", ", ".join(sorted({*methods, "OPTIONS"})).encode())]})
                await send_with_headers({"type": "http.response.body", "body": b""})
            else:
                await app(scope, watched_receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            if state.get("client_disconnected"):
                # 499 "client closed request" (the nginx convention): no 5xx in logs or metrics.
                status_holder["status"] = CLIENT_CLOSED_REQUEST
                log.info("client_disconnected", method=scope["method"], route=route)
            metrics.observe(scope["method"], route, status_holder["status"], elapsed)
            log.info("request", method=scope["method"], route=route, status=status_holder["status"],
                     duration_ms=round(elapsed * 1000, 2))

    return handle


def _declared_length(scope: dict) -> int:
    value = _header(scope, b"content-length")
    return int(value) if value and value.isdigit() else 0


def _is_problem(start: dict) -> bool:
    return any(k.lower() == b"content-type" and v.split(b";")[0].strip() == PROBLEM_MEDIA_TYPE.encode()
               for k, v in start.get("headers", []))


_KEPT_HEADERS = (b"allow", b"retry-after", b"www-authenticate")


def _kept_headers(start: dict) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in start.get("headers", []) if k.lower() in _KEPT_HEADERS]


async def _send_problem(scope: dict, send: Any, code: str, request_id: str,
                        headers: list[tuple[bytes, bytes]], errors: list[FieldIssue] | None = None,
                        status: int | None = None) -> None:
    language = negotiate((_header(scope, b"accept-language") or b"").decode("latin-1"))
    body = render(code, language=language, request_id=request_id, instance=scope["path"],
                  errors=[e.localised(language) for e in errors] if errors else None, status=status)
    await send({
        "type": "http.response.start", "status": status or status_of(code),
        "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()), *headers],
    })
    await send({"type": "http.response.body", "body": body})
