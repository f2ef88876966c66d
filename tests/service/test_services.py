"""The composition root builds each shared service once per process, with that process's
profile: the API's clock may be half a second stale, the worker's never."""

from __future__ import annotations

from service.services import API, WORKER, Services
from service.settings import Settings


def test_each_process_gets_its_pool_and_clock_from_one_place():
    settings = Settings(environment="test", database_url="postgresql://nowhere/bilin", worker_concurrency=5,
                        db_pool_max=9, webhook_allowlist=("10.8.0.0/16",))
    api, worker = Services.build(settings, API), Services.build(settings, WORKER)
    assert (api.db.max_size, api.db.application_name, api.clock.ttl) == (9, "bilin", 0.5)
    assert (worker.db.max_size, worker.db.application_name, worker.clock.ttl) == (5 + 8, "bilin-worker", 0)
    assert worker.db.command_timeout == 60 and api.db.command_timeout == settings.db_command_timeout
    for services in (api, worker):
        assert services.clock.enabled  # the test clock is on outside production
        assert not services.egress.guarded and services.egress.allowlist.allows_address("10.8.1.2")


def test_production_guards_webhook_egress_in_every_process():
    settings = Settings(environment="production", database_url="postgresql://nowhere/bilin")
    for profile in (API, WORKER):
        services = Services.build(settings, profile)
        assert services.egress.guarded and not services.clock.enabled
