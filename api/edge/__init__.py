"""The outermost layer of every request, before routing, so that even an unknown path gets
its request id, rate-limit headers, log line and metrics: one ASGI middleware per job, each
in a module of its own, put in order by ``wrap`` (called by api/app.py)."""

from __future__ import annotations

from collections.abc import Callable

from api.auth.tokens import KeyRing
from api.conventions.ratelimit import RateLimiter
from api.edge.access_log import access_log
from api.edge.asgi import ASGIApp
from api.edge.method_override import method_override
from api.edge.options import answer_options
from api.edge.principal import read_principal
from api.edge.problem_answers import problem_answers
from api.edge.rate_limit import rate_limit
from api.edge.request_checks import request_checks
from api.edge.request_id import request_id
from service.settings import Settings


def wrap(app: ASGIApp, settings: Settings, keyring: KeyRing, limiter: RateLimiter,
         allowed_methods: Callable[[str], list[str] | None],
         body_limit: Callable[[str, str], int]) -> ASGIApp:
    """The framework's router inside the edge's middlewares, outermost first: each sees what
    the ones before it did (the method after an override, the caller before its rate limit)."""
    app = problem_answers(app)                      # any error answer becomes a problem document
    app = answer_options(app, allowed_methods)      # OPTIONS lists every method of a path
    app = request_checks(app, body_limit)           # NUL, bad UTF-8, a body over the limit
    app = rate_limit(app, limiter, settings)        # RateLimit headers; 429 past the quota
    app = read_principal(app, keyring)              # the caller, from the bearer token
    app = request_id(app)                           # X-Request-Id, on every log line
    app = method_override(app)                      # X-HTTP-Method-Override
    return access_log(app)                          # the log line, the metrics, 499 for a gone client
