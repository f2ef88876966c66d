"""WeChat subscription messages: a resident's subscribe answer and what was sent to them, and a
mini-program client's template mapping (integrations.md §B)."""

from __future__ import annotations

import re

import asyncpg
from litestar import Controller, Request, Response, get, post, put

from api.conventions.etags import resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER
from api.schemas.common import command_of
from api.schemas.notifications import (
    MessageTemplates,
    Notification,
    SubscribeAnswer,
    SubscriptionCounts,
    TemplateMapping,
    notification_view,
    templates_view,
)
from domain.errors import NotFound
from domain.permissions import Principal
from store.paging import Keyset
from usecases import notifications

_CLIENT_ID = re.compile(r"^cli_[a-z0-9_]{1,60}$")  # as api/routes/clients.py: generated or named


def _client_id(value: str) -> str:
    if not _CLIENT_ID.match(value):
        raise NotFound("not_found")
    return value


class NotificationController(Controller):
    path = "/v1"
    tags = ["notifications"]  # noqa: RUF012 - litestar reads it as a list
    security = BEARER

    @post("/me/subscriptions", operation_id="subscribeMessages", status_code=200,
          summary="Pass on wx.requestSubscribeMessage's answer (each accept allows one message)",
          responses=problems(WRITE))
    async def subscribe(self, tx: asyncpg.Connection, principal: Principal,
                        data: SubscribeAnswer) -> SubscriptionCounts:
        counts = await notifications.subscribe(tx, principal, command_of(data, notifications.SubscribeAnswer))
        return SubscriptionCounts(counts=counts)

    @get("/me/notifications", operation_id="listMyNotifications",
         summary="Subscription messages sent to me and their outcome", responses=problems(READ))
    async def my_notifications(self, conn: asyncpg.Connection, principal: Principal,
                               keyset: Keyset) -> Page[Notification]:
        return page_of(await notifications.my_notifications(conn, principal, keyset), keyset, notification_view)

    @put("/clients/{client_id:str}/message-templates", operation_id="putMessageTemplates",
         summary="Map a mini-program's notification kinds to its subscription message templates",
         responses=problems(WRITE))
    async def put_templates(self, request: Request, tx: asyncpg.Connection, principal: Principal, client_id: str,
                            data: TemplateMapping) -> Response[MessageTemplates]:
        found = await notifications.put_templates(tx, principal, _client_id(client_id),
                                                  command_of(data, notifications.TemplateMapping))
        return resource_response(request, templates_view(found))

    @get("/clients/{client_id:str}/message-templates", operation_id="getMessageTemplates",
         summary="Read a mini-program's subscription message templates", responses=problems(READ))
    async def get_templates(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                            client_id: str) -> Response[MessageTemplates]:
        found = await notifications.get_templates(conn, principal, _client_id(client_id))
        return resource_response(request, templates_view(found))
