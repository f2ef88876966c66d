"""``Idempotency-Key`` on every POST, as one middleware.

For a keyed POST it opens the request's transaction first and takes a transaction-scoped
advisory lock on (caller, key): a second request with the same key while the first runs
gets 409 ``idempotency_key_in_use``; after the first committed, the stored response is
replayed (``Idempotent-Replayed: true``), or 422 ``idempotency_key_reused`` when the
method, path or body differ. The route runs inside that same transaction (the ``tx``
dependency hands it over), and a 2xx response is stored before the commit, so the change
and its key record commit together or not at all. A request that fails (4xx/5xx) rolls
back and stores nothing: it changed nothing, so it may be retried with the same key."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from api.conventions.problems import ProblemError
from api.conventions.unit_of_work import unit_of_work
from api.conventions.uploads import UPLOAD_OPT, keep_for_route, parse_upload, receive_chunks
from store import idempotency as records

_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, 1–255 characters
_REPLAYED_HEADERS = (b"content-type", b"etag", b"location")


def _header(scope: dict, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


async def _read_body(receive: Any, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ProblemError("malformed_body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ProblemError("payload_too_large")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def idempotency_middleware(app: Any) -> Any:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        key = _header(scope, b"idempotency-key") if scope["method"] == "POST" else None
        principal = scope.get("user")
        handler = scope.get("route_handler")
        if key is None or principal is None or (handler and handler.opt.get("idempotent") is False):
            await app(scope, receive, send)
            return
        if not _KEY_PATTERN.match(key.decode("latin-1")):
            raise ProblemError("invalid_idempotency_key")

        services = scope["litestar_app"].state.services
        upload_rule = handler.opt.get(UPLOAD_OPT) if handler else None
        if upload_rule is not None:
            # A retried upload has a new multipart boundary: the fingerprint is what it carries.
            upload = await parse_upload(receive_chunks(receive), (_header(scope, b"content-type") or b"").decode(
                "latin-1"), upload_rule)
            keep_for_route(scope, upload)
            body, content = b"", upload.fingerprint()
        else:
            body = content = await _read_body(receive, services.settings.max_body_bytes)
        request_digest = hashlib.sha256(b"\n".join(
            [scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), content]
        )).digest()
        caller, key_text = principal.caller_key, key.decode()

        # The request's own transaction (see unit_of_work): the lock, the route's change and
        # the key record all live in it, and it commits just before the response is sent.
        conn = await unit_of_work(scope).transaction()
        if not await records.try_lock(conn, caller, key_text):
            raise ProblemError("idempotency_key_in_use")
        stored = await records.find(conn, caller, key_text)
        if stored is not None:
            if stored["request_digest"] != request_digest:
                raise ProblemError("idempotency_key_reused")
            messages = _replay(stored, services.sealer, context=caller.encode())
        else:
            messages = await _run_captured(app, scope, body)
            start = messages[0]
            if 200 <= start["status"] < 300:
                await records.save(
                    conn, caller=caller, key=key_text, street_id=principal.street_id,
                    request_digest=request_digest, status=start["status"],
                    headers={k.decode(): v.decode() for k, v in start.get("headers", [])
                             if k in _REPLAYED_HEADERS},
                    body_sealed=services.sealer.seal(b"".join(m.get("body", b"") for m in messages[1:]),
                                                     context=caller.encode()),
                    ttl=timedelta(hours=services.settings.idempotency_ttl_hours),
                )
        for message in messages:
            await send(message)

    return handle


async def _run_captured(app: Any, scope: dict, body: bytes) -> list[dict]:
    """Run the route with the already-read body, keeping its response until the outcome of
    the transaction is known."""
    delivered = False
    messages: list[dict] = []

    async def receive() -> dict:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def capture(message: dict) -> None:
        messages.append(message)

    await app(scope, receive, capture)
    return messages


def _replay(stored: Any, sealer: Any, context: bytes) -> list[dict]:
    body = sealer.open(stored["body_sealed"], context=context)
    headers = [(k.encode(), v.encode()) for k, v in stored["headers"].items()]
    headers += [(b"idempotent-replayed", b"true"), (b"content-length", str(len(body)).encode())]
    return [{"type": "http.response.start", "status": stored["status"], "headers": headers},
            {"type": "http.response.body", "body": body}]
