"""The API process's business clock and webhook egress policy, built once per app from its
settings (on first use, so the app factory needs no wiring for them)."""

from __future__ import annotations

from litestar import Request

from api.services import services_of
from domain.webhooks import Allowlist
from usecases.clock import BusinessClock
from usecases.egress import EgressPolicy


def business_clock(request: Request) -> BusinessClock:
    state = request.app.state
    clock = state.get("business_clock")
    if clock is None:
        clock = BusinessClock(enabled=services_of(request).settings.test_clock_enabled)
        state.business_clock = clock
    return clock


def egress_policy(request: Request) -> EgressPolicy:
    state = request.app.state
    policy = state.get("egress_policy")
    if policy is None:
        settings = services_of(request).settings
        policy = EgressPolicy(guarded=settings.webhook_guard,
                              allowlist=Allowlist.parse(settings.webhook_allowlist))
        state.egress_policy = policy
    return policy
