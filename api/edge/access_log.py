"""One JSON access-log line and the Prometheus metrics per request, by route template. A
client that left before its answer began (mid-body, say) is no fault of the service: it is
logged as ``client_disconnected`` and counted with status 499 (nginx's "client closed
request"), never a 5xx."""

from __future__ import annotations

import time
from typing import Any

import structlog

from api.conventions import metrics
from api.edge.asgi import ASGIApp

log = structlog.get_logger("bilin.access")
CLIENT_CLOSED_REQUEST = 499


def access_log(app: ASGIApp) -> ASGIApp:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})
        answer = {"status": 500, "started": False}

        async def watched_receive() -> dict:
            message = await receive()
            if message["type"] == "http.disconnect" and not answer["started"]:
                # Whatever the app makes of the missing body is not a fault of the service.
                state["client_disconnected"] = True
            return message

        async def watched_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                answer["started"] = True
                answer["status"] = message["status"]
            await send(message)

        try:
            await app(scope, watched_receive, watched_send)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            if state.get("client_disconnected"):
                answer["status"] = CLIENT_CLOSED_REQUEST
                log.info("client_disconnected", method=scope["method"], route=route)
            metrics.observe(scope["method"], route, answer["status"], elapsed)
            log.info("request", method=scope["method"], route=route, status=answer["status"],
                     duration_ms=round(elapsed * 1000, 2))

    return handle
