"""Probes, metrics, the problem-type pages and the docs entry point: no token needed."""

from __future__ import annotations

import msgspec
from litestar import Request, Response, get

from api.conventions import catalogue, docs_page, metrics
from api.conventions.openapi import problems
from api.conventions.problems import ProblemError
from api.services import services_of


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str  # "ready", or "degraded" (Redis down: per-process fallbacks)
    database: str
    redis: str


class ProblemType(msgspec.Struct):
    code: str
    status: int
    title_zh: str
    title_en: str
    cause_zh: str  # why a request gets this problem
    fix_zh: str  # what the client does about it
    cause_en: str
    fix_en: str


@get("/healthz", operation_id="getHealth", summary="The process is alive", tags=["system"],
     security=[])
async def healthz() -> Health:
    return Health(status="ok")


@get("/readyz", operation_id="getReadiness", summary="Database and Redis are reachable",
     tags=["system"], security=[], responses=problems((503,)))
async def readyz(request: Request) -> Response[Readiness]:
    services = services_of(request)
    database_ok = await services.db.ping()
    redis_state = ("ok" if await services.redis_ok() else "unavailable") if services.redis else "not_configured"
    if not database_ok:  # every error is a problem document, this one too
        raise ProblemError("service_unavailable", headers={"Retry-After": "5"},
                           params={"database": "unavailable", "redis": redis_state})
    status = "ready" if redis_state == "ok" else "degraded"
    return Response(Readiness(status=status, database="ok", redis=redis_state))


@get("/metrics", operation_id="getMetrics", summary="Prometheus metrics", tags=["system"],
     security=[], include_in_schema=True, media_type="text/plain", responses=problems((401, 404)))
async def prometheus_metrics(request: Request) -> Response[bytes]:
    services = services_of(request)
    metrics.authorize(services.settings, request.headers.get("authorization"))
    body, content_type = metrics.exposition(services.db.pool_usage())
    return Response(body, media_type=content_type)


@get("/problems/{code:str}", operation_id="getProblemType", summary="Describe a problem type",
     tags=["system"], security=[], responses=problems((404,)))
async def problem_type(code: str) -> ProblemType:
    kind = catalogue.PROBLEMS.get(code)
    if kind is None:
        raise ProblemError("not_found")
    zh, en = catalogue.help_for(code, "zh-CN"), catalogue.help_for(code, "en")
    return ProblemType(code=code, status=kind.status, title_zh=kind.zh, title_en=kind.en,
                       cause_zh=zh.cause, fix_zh=zh.fix, cause_en=en.cause, fix_en=en.fix)


@get("/docs", include_in_schema=False, security=[])
async def docs() -> Response[str]:
    """The reference page; its assets are served by ``docs_asset`` (nothing from a CDN)."""
    return Response(docs_page.PAGE, media_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-cache"})


@get("/docs/assets/{name:str}", include_in_schema=False, security=[])
async def docs_asset(name: str) -> Response[bytes]:
    found = docs_page.asset(name)
    if found is None:
        raise ProblemError("not_found")
    body, media_type = found
    # the files change only with the pinned package, i.e. with a deploy
    return Response(body, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})
