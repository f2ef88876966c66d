"""Prometheus metrics: request counts and latency per route template, and pool usage.

Set PROMETHEUS_MULTIPROC_DIR when running several worker processes so that /metrics adds
up every worker (prometheus_client's multiprocess mode).

Metrics tell an outsider the traffic, the routes and the pool's state, so production serves
them only to a scraper with the bearer token BILIN_METRICS_TOKEN, and not at all without one."""

from __future__ import annotations

import hmac
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from api.conventions.problems import ProblemError
from service.settings import Settings

REQUESTS = Counter("bilin_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "bilin_http_request_duration_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
POOL_IN_USE = Gauge("bilin_db_pool_connections_in_use", "Database connections in use",
                    multiprocess_mode="livesum")
POOL_SIZE = Gauge("bilin_db_pool_connections", "Database connections open",
                  multiprocess_mode="livesum")


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def exposition(pool_usage: tuple[int, int]) -> tuple[bytes, str]:
    POOL_IN_USE.set(pool_usage[0])
    POOL_SIZE.set(pool_usage[1])
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def authorize(settings: Settings, authorization: str | None) -> None:
    """Raise unless this request may read the metrics."""
    if settings.metrics_token is None:
        if settings.production:
            raise ProblemError("not_found")
        return
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
            presented.strip().encode(), settings.metrics_token.encode()):
        raise ProblemError("unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
