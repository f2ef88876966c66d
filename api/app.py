"""The one place where plugins, middleware, conventions and routes are wired."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from api import edge
from api.auth.token_endpoint import issue_token
from api.conventions.idempotency import idempotency_middleware
from api.conventions.openapi import ContractJson, ContractYaml
from api.conventions.problems import handle_exception
from api.conventions.unit_of_work import unit_of_work_middleware
from api.conventions.uploads import upload_body_limits
from api.deps import DEPENDENCIES, before_route, resolve_dependencies_in_order
from api.routes.agreements import AgreementController
from api.routes.announcements import AnnouncementController
from api.routes.bookings import BookingController
from api.routes.campaigns import CampaignController
from api.routes.activities import ActivityController
from api.routes.buildings import BuildingController
from api.routes.calendar import space_calendar
from api.routes.clients import ClientController
from api.routes.clock import clock_routes
from api.routes.communities import CommunityController
from api.routes.documents import DocumentController
from api.routes.events import EventController
from api.routes.fund import ExpenseController, FundController
from api.routes.households import HouseholdController
from api.routes.lists import NeedController, ProjectController, ResourceController
from api.routes.imports import IMPORT_TEMPLATES, ImportController
from api.routes.me import MeController
from api.routes.media import MEDIA_ROUTES
from api.routes.members import MemberController
from api.routes.moderation import ModerationController
from api.routes.my_feed import MyFeedController
from api.routes.notifications import NotificationController
from api.routes.organizations import OrganizationController
from api.routes.phone import verify_phone
from api.routes.points import PointsController
from api.routes.questions import QuestionController
from api.routes.proposals import ProposalActivityController, ProposalController
from api.routes.reports import ReportController
from api.routes.rewards import RewardController
from api.routes.roles import RoleController
from api.routes.spaces import SpaceController
from api.routes.stats import StatsController
from api.routes.system import docs, docs_asset, healthz, problem_type, prometheus_metrics, readyz
from api.routes.talents import TalentController
from api.routes.tasks import TaskController
from api.routes.webhooks import WEBHOOK_ROUTES
from api.services import ApiServices
from service.logging import configure_logging
from service.settings import Settings, load_settings

ROUTES = [
    EventController, *WEBHOOK_ROUTES,
    issue_token, healthz, readyz, prometheus_metrics, problem_type, docs, docs_asset,
    CommunityController, BuildingController, HouseholdController,
    MeController, RoleController, OrganizationController, MemberController,
    ClientController, verify_phone, NotificationController, ModerationController,
    SpaceController, BookingController, space_calendar,
    ProposalController, ProposalActivityController,
    TaskController, ReportController, *MEDIA_ROUTES,
    ImportController, *IMPORT_TEMPLATES, StatsController,
    PointsController, RewardController,
    DocumentController,
    NeedController, ResourceController, ProjectController, AgreementController,
    CampaignController,
    ActivityController, TalentController,
    FundController, ExpenseController,
    AnnouncementController, QuestionController, MyFeedController,
]
def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Bilin (比邻) API",
        version="1.0.0",
        description=(
            "A public REST API for building-group micro self-governance (楼组微自治). "
            "Errors are RFC 9457 problem details; lists are cursor-paged; every POST accepts "
            "Idempotency-Key; single resources carry strong ETags."
        ),
        path="/schema",
        render_plugins=[ContractJson(path="/openapi.json"),
                        ContractYaml(path="/openapi.yaml")],
        components=Components(security_schemes={
            "bearerAuth": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT",
                                         description="Access token from POST /v1/auth/token"),
        }),
        use_handler_docstrings=True,
    )


def route_methods(app: Litestar) -> Callable[[str], list[str] | None]:
    """The methods each path answers, across all its handlers, for OPTIONS."""
    table: dict[str, set[str]] = {}
    for route in app.routes:
        methods = getattr(route, "methods", None)
        if methods:
            table.setdefault(route.path_format, set()).update(m for m in methods if m != "HEAD")
    patterns = [(re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$"), sorted(methods))
                for path, methods in table.items()]

    def lookup(path: str) -> list[str] | None:
        return next((methods for pattern, methods in patterns if pattern.match(path)), None)

    return lookup


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    settings.check()
    configure_logging(settings.log_level)
    services = ApiServices.for_api(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await services.start()
        try:
            yield
        finally:
            await services.stop()

    resolve_dependencies_in_order()
    app = Litestar(
        route_handlers=[*ROUTES, *clock_routes(settings)],
        dependencies=DEPENDENCIES,
        middleware=[unit_of_work_middleware, idempotency_middleware],
        before_request=before_route,
        exception_handlers={Exception: handle_exception},
        lifespan=[lifespan],
        openapi_config=openapi_config(),
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins),
                               allow_headers=["*"], expose_headers=[
                                   "ETag", "Location", "X-Request-Id", "RateLimit", "RateLimit-Policy",
                                   "Retry-After", "Idempotent-Replayed"])
        if settings.cors_origins else None,
        request_max_body_size=settings.max_body_bytes,
        debug=False,
        logging_config=None,  # structlog is configured by configure_logging()
    )
    app.state.services = services
    app.asgi_handler = edge.wrap(app.asgi_handler, settings, services.keyring, services.limiter,
                                 allowed_methods=route_methods(app),
                                 body_limit=upload_body_limits(app, settings.max_body_bytes))
    return app
