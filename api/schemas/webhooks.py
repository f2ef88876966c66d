"""Wire types of webhook endpoints and their deliveries, and the views of their models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.conventions.validation_messages import described
from api.schemas.common import Stamp, text
from domain.events import MAX_FILTERS, TYPE_PATTERN
from domain.webhooks import MAX_URL_LENGTH, URL_PATTERN
from domain.webhooks import WebhookDelivery as WebhookDeliveryModel
from domain.webhooks import WebhookEndpoint as WebhookEndpointModel

described(URL_PATTERN, "不含用户名密码的 http(s) 绝对地址", "an absolute http(s) URL without credentials")
described(TYPE_PATTERN.pattern, "事件类型，例如 task.created 或 task.*", "an event type such as task.created or task.*")

Url = Annotated[str, Meta(min_length=1, max_length=MAX_URL_LENGTH, pattern=URL_PATTERN,
                          examples=["https://platform.example.gov.cn/bilin/webhooks"],
                          description="http(s), without credentials or fragment.")]
EventType = Annotated[str, Meta(pattern=TYPE_PATTERN.pattern, max_length=100)]
EventTypes = Annotated[list[EventType], Meta(
    max_length=MAX_FILTERS, examples=[["proposal.*", "task.created"]],
    description="Event types to deliver (`task.created`) or a resource's wildcard (`task.*`); "
                "empty: every type.")]
Description = text(500, example="街道平台事件接收")
DisabledReason = Literal["gone", "repeated_failure", "manual"]
DeliveryStatus = Literal["pending", "succeeded", "failed", "cancelled"]


class WebhookEndpoint(msgspec.Struct):
    id: Annotated[str, Meta(examples=["whe_4d6f8h1k3m5n7q9s"])]
    url: Url
    description: Description
    event_types: EventTypes
    enabled: Annotated[bool, Meta(examples=[True])]
    disabled_reason: Annotated[DisabledReason, Meta(
        description="Why it was disabled: the receiver answered 410 (`gone`), about 3 days of "
                    "failed deliveries (`repeated_failure`), or by the client (`manual`).")] | None
    disabled_at: Stamp | None
    failing_since: Annotated[datetime, Meta(
        examples=["2026-11-22T08:00:00Z"],
        description="Start of the current run of failed attempts; null after a success.")] | None
    previous_secret_expires_at: Annotated[datetime, Meta(
        examples=["2026-11-23T08:00:00Z"],
        description="Until then the secret before the last rotation also signs.")] | None
    created_at: Stamp
    updated_at: Stamp


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: Annotated[str, Meta(examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
                                description="The signing secret. Shown only in this response.")]


class WebhookEndpointCreate(Input):
    url: Url
    description: Description = ""
    event_types: EventTypes = []


class WebhookEndpointUpdate(Input):
    url: Url | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    event_types: EventTypes | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


class SecretRotation(Input):
    overlap_seconds: Annotated[int, Meta(
        ge=0, le=7 * 86400, examples=[86400],
        description="How long the old secret keeps signing beside the new one.")] = 86400


class DeliveryAttempt(msgspec.Struct):
    at: Stamp
    status_code: Annotated[int, Meta(examples=[503])] | None
    error: Annotated[str, Meta(examples=["http_status"])] | None
    duration_ms: Annotated[int, Meta(examples=[120])]


class WebhookDelivery(msgspec.Struct):
    id: Annotated[str, Meta(examples=["whd_6f8h1k3m5n7q9s2b"],
                            description="Also the `webhook-id` header, the same on every attempt.")]
    endpoint_id: Annotated[str, Meta(examples=["whe_4d6f8h1k3m5n7q9s"])]
    event_id: Annotated[str, Meta(examples=["evt_8c2k4m6p8r1t3v5x"])]
    event_type: Annotated[str, Meta(examples=["household.created"])]
    status: DeliveryStatus
    attempts: Annotated[int, Meta(examples=[1])]
    next_attempt_at: Stamp | None
    last_attempt_at: Stamp | None
    last_status_code: Annotated[int, Meta(examples=[503])] | None
    last_error: Annotated[str, Meta(examples=["http_status"])] | None
    log: Annotated[list[DeliveryAttempt], Meta(description="The latest attempts, oldest first.")]
    created_at: Stamp
    updated_at: Stamp


def endpoint_view(endpoint: WebhookEndpointModel) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=endpoint.id, url=endpoint.url, description=endpoint.description,
        event_types=list(endpoint.event_types), enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason, disabled_at=endpoint.disabled_at,
        failing_since=endpoint.failing_since, previous_secret_expires_at=endpoint.previous_secret_expires_at,
        created_at=endpoint.created_at, updated_at=endpoint.updated_at,
    )


def endpoint_with_secret(endpoint: WebhookEndpointModel, secret: str) -> WebhookEndpointWithSecret:
    view = endpoint_view(endpoint)
    return WebhookEndpointWithSecret(**msgspec.structs.asdict(view), secret=secret)


def delivery_view(delivery: WebhookDeliveryModel) -> WebhookDelivery:
    return WebhookDelivery(
        id=delivery.id, endpoint_id=delivery.endpoint_id, event_id=delivery.event_id,
        event_type=delivery.event_type, status=delivery.status, attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at, last_attempt_at=delivery.last_attempt_at,
        last_status_code=delivery.last_status_code, last_error=delivery.last_error,
        log=msgspec.convert(delivery.log, list[DeliveryAttempt]),
        created_at=delivery.created_at, updated_at=delivery.updated_at,
    )
