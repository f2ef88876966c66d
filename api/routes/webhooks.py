"""Webhook endpoints of the caller's street, their deliveries, and manual retries."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import asyncpg
import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter

from api.business_time import business_clock, egress_policy
from api.conventions.etags import JSON_MEDIA_TYPE, check_if_match, etag_of, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.schemas.webhooks import (
    DeliveryStatus,
    SecretRotation,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
    delivery_view,
    endpoint_view,
    endpoint_with_secret,
)
from api.services import services_of
from domain.permissions import Principal
from domain.webhooks import WebhookEndpoint as EndpointModel
from store.paging import Keyset
from usecases import webhooks
from usecases.webhooks import ChangeEndpoint, CreateEndpoint


def _with_secret(endpoint: EndpointModel, secret: str, status: int, headers: dict[str, str] | None = None
                 ) -> Response[WebhookEndpointWithSecret]:
    """The one response that shows the secret. Its ETag is the endpoint's without the secret,
    the tag a later GET gives, so it works in If-Match."""
    tag = etag_of(msgspec.json.encode(endpoint_view(endpoint)))
    return Response(content=msgspec.json.encode(endpoint_with_secret(endpoint, secret)), status_code=status,
                    media_type=JSON_MEDIA_TYPE, headers={"ETag": tag, "Cache-Control": "no-store",
                                                         **(headers or {})})


class WebhookEndpointController(Controller):
    path = "/v1/webhook-endpoints"
    tags = ["webhooks"]
    security = BEARER

    @get(operation_id="listWebhookEndpoints", summary="List the street's webhook endpoints",
         responses=problems(READ))
    async def list_endpoints(self, conn: asyncpg.Connection, principal: Principal,
                             keyset: Keyset) -> Page[WebhookEndpoint]:
        endpoints = await webhooks.list_endpoints(conn, principal, keyset)
        return page_of(endpoints, keyset, endpoint_view)

    @post(operation_id="createWebhookEndpoint", summary="Add a webhook endpoint; its secret is shown once",
          responses=problems(WRITE))
    async def create_endpoint(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              data: WebhookEndpointCreate) -> Response[WebhookEndpointWithSecret]:
        endpoint, secret = await webhooks.create_endpoint(tx, principal, services_of(request).sealer,
                                                          egress_policy(request), command_of(data, CreateEndpoint))
        return _with_secret(endpoint, secret, 201, {"Location": f"/v1/webhook-endpoints/{endpoint.id}"})

    @get("/{endpoint_id:str}", operation_id="getWebhookEndpoint", summary="Read a webhook endpoint",
         responses=problems(READ))
    async def get_endpoint(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                           endpoint_id: str) -> Response[WebhookEndpoint]:
        endpoint = await webhooks.get_endpoint(conn, principal, known_id("webhook_endpoint", endpoint_id))
        return resource_response(request, endpoint_view(endpoint))

    @patch("/{endpoint_id:str}", operation_id="updateWebhookEndpoint",
           summary="Change a webhook endpoint (URL, types, enabled)", responses=problems(WRITE))
    async def update_endpoint(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              endpoint_id: str, data: WebhookEndpointUpdate) -> Response[WebhookEndpoint]:
        def precondition(current: EndpointModel) -> None:
            check_if_match(request, endpoint_view(current))

        endpoint = await webhooks.update_endpoint(tx, principal, known_id("webhook_endpoint", endpoint_id),
                                                  command_of(data, ChangeEndpoint), precondition,
                                                  egress_policy(request))
        return resource_response(request, endpoint_view(endpoint))

    @delete("/{endpoint_id:str}", operation_id="deleteWebhookEndpoint",
            summary="Remove a webhook endpoint; its waiting deliveries are cancelled",
            responses=problems(WRITE))
    async def delete_endpoint(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              endpoint_id: str) -> None:
        def precondition(current: EndpointModel) -> None:
            check_if_match(request, endpoint_view(current))

        await webhooks.delete_endpoint(tx, principal, known_id("webhook_endpoint", endpoint_id), precondition)

    @post("/{endpoint_id:str}/rotate-secret", operation_id="rotateWebhookEndpointSecret", status_code=200,
          summary="Replace the signing secret; the old one keeps signing during the overlap",
          responses=problems(WRITE))
    async def rotate_secret(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            endpoint_id: str, data: SecretRotation | None = None
                            ) -> Response[WebhookEndpointWithSecret]:
        def precondition(current: EndpointModel) -> None:
            check_if_match(request, endpoint_view(current))

        overlap = timedelta(seconds=(data or SecretRotation()).overlap_seconds)
        endpoint, secret = await webhooks.rotate_secret(tx, principal, services_of(request).sealer,
                                                        known_id("webhook_endpoint", endpoint_id), precondition,
                                                        overlap)
        return _with_secret(endpoint, secret, 200)

    @get("/{endpoint_id:str}/deliveries", operation_id="listWebhookDeliveries",
         summary="List an endpoint's deliveries and their attempts", responses=problems(READ))
    async def list_deliveries(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, endpoint_id: str,
        status: Annotated[DeliveryStatus | None, Parameter(query="status")] = None,
    ) -> Page[WebhookDelivery]:
        found = await webhooks.list_deliveries(conn, principal, known_id("webhook_endpoint", endpoint_id),
                                               keyset, status)
        return page_of(found, keyset, delivery_view)


@post("/v1/webhook-deliveries/{delivery_id:str}/retry", operation_id="retryWebhookDelivery",
      status_code=202, tags=["webhooks"], security=BEARER, responses=problems(WRITE),
      summary="Attempt a delivery again now")
async def retry_delivery(request: Request, tx: asyncpg.Connection, principal: Principal,
                         delivery_id: str) -> WebhookDelivery:
    now = await business_clock(request).now(tx)
    delivery = await webhooks.retry_delivery(tx, principal, known_id("webhook_delivery", delivery_id), now)
    return delivery_view(delivery)


WEBHOOK_ROUTES = [WebhookEndpointController, retry_delivery]
