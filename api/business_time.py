"""The API's business clock and webhook egress policy: the ones the composition root built
for this process (service/services.py)."""

from __future__ import annotations

from litestar import Request

from api.services import services_of
from usecases.clock import BusinessClock
from usecases.egress import EgressPolicy


def business_clock(request: Request) -> BusinessClock:
    return services_of(request).clock


def egress_policy(request: Request) -> EgressPolicy:
    return services_of(request).egress
