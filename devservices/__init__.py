"""Find or start the PostgreSQL and Redis that a local run or the test suite uses.

Synchronous on purpose: the CLI and pytest's conftest call it before any event loop.
"""

from devservices.common import DevServiceError, Service, free_port
from devservices.pg_embedded import stop_embedded_postgres
from devservices.pg_sql import ensure_database, with_database
from devservices.postgres import postgres_service
from devservices.redis_server import redis_service

__all__ = [
    "DevServiceError",
    "Service",
    "ensure_database",
    "free_port",
    "postgres_service",
    "redis_service",
    "stop_embedded_postgres",
    "with_database",
]
