"""One database unit of work per request (the unit itself: service/unit_of_work.py).

Routes ask for a connection (reads) or a transaction (writes) through plain async
dependencies; the connection is taken from the pool on first use and given back by this
middleware after the response. The transaction commits just before the response starts
when the status is below 400, and rolls back otherwise — so a client never sees a success
for a change that did not commit, and an error never leaves a change behind.

Why not generator dependencies: the framework resolves sibling dependencies concurrently
and cancels them when one fails (say, a 401 from the token check), which can interrupt a
generator while it is acquiring a connection and leak it. Here, every connection that was
acquired is released in one ``finally``."""

from __future__ import annotations

from typing import Any

import structlog
from litestar.datastructures import Headers

from api.conventions.problems import PROBLEM_MEDIA_TYPE, render, request_language
from service.unit_of_work import UnitOfWork

STATE_KEY = "bilin.uow"
log = structlog.get_logger("bilin.uow")


def unit_of_work(scope: dict) -> UnitOfWork:
    return scope["state"][STATE_KEY]


def unit_of_work_middleware(app: Any) -> Any:
    async def handle(scope: dict, receive: Any, send: Any) -> None:
        db = scope["litestar_app"].state.services.db
        uow = UnitOfWork(db.pool, acquire_timeout=db.acquire_timeout)
        scope.setdefault("state", {})[STATE_KEY] = uow
        failed_commit = False

        async def finish_then_send(message: dict) -> None:
            nonlocal failed_commit
            if failed_commit:
                return  # the body of a response replaced by a 503 below
            if message["type"] == "http.response.start" and uow.in_transaction:
                if message["status"] == 503:
                    uow.discard()
                elif message["status"] < 400:
                    try:
                        await uow.commit()
                    except Exception as error:  # the change did not commit: say so, not 2xx
                        log.warning("commit_failed", error=type(error).__name__)
                        failed_commit = True
                        await _send_unavailable(scope, send)
                        return
                else:
                    await uow.rollback()
            await send(message)

        try:
            await app(scope, receive, finish_then_send)
        finally:
            await uow.release()

    return handle


async def _send_unavailable(scope: dict, send: Any) -> None:
    body = render("service_unavailable", language=request_language(Headers.from_scope(scope)),
                  request_id=scope["state"].get("request_id", ""), instance=scope["path"])
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"retry-after", b"5"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
