"""Webhook endpoints and their deliveries, managed by the street's platform client
(`webhooks:manage`). Each change appends its event; no event ever carries a secret."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import webhooks as rules
from domain.clock import real_now
from domain.errors import Conflict, NotFound, RuleViolation
from domain.events import parse_filters
from domain.ids import new_id
from domain.permissions import Principal
from domain.webhooks import DeliveryClaim, WebhookDelivery, WebhookEndpoint
from store import deliveries, webhooks
from store.events import Subject, append_event
from store.paging import Keyset
from store.rows import snapshot
from usecases.crypto import Sealer
from usecases.egress import EgressPolicy, check_url
from usecases.kernel import changes_of

Precondition = Callable[[WebhookEndpoint], None]
DEFAULT_OVERLAP = timedelta(hours=24)


class CreateEndpoint(msgspec.Struct, frozen=True):
    url: str
    description: str = ""
    event_types: list[str] = []


class ChangeEndpoint(msgspec.Struct, frozen=True):
    """A partial update: the fields left UNSET stay as they are."""

    url: str | UnsetType = UNSET
    description: str | None | UnsetType = UNSET
    event_types: list[str] | None | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET


T = TypeVar("T")


def _found(thing: T | None) -> T:
    if thing is None:
        raise NotFound("not_found")
    return thing


def _context(endpoint_id: str) -> bytes:
    """Binds a sealed secret to its endpoint: a sealed value copied to another row won't open."""
    return b"webhook_endpoint:" + endpoint_id.encode()


async def _record_event(conn: asyncpg.Connection, action: str, endpoint: WebhookEndpoint,
                        **extra: Any) -> None:
    await append_event(conn, type=f"webhook_endpoint.{action}", street_id=endpoint.street_id,
                       subject=Subject("webhook_endpoint", endpoint.id),
                       data={"webhook_endpoint": snapshot(endpoint), **extra})


async def create_endpoint(conn: asyncpg.Connection, who: Principal, sealer: Sealer, policy: EgressPolicy,
                          command: CreateEndpoint) -> tuple[WebhookEndpoint, str]:
    """The new endpoint and its signing secret, which is shown this once."""
    rules.can_manage_webhooks(who)
    url = await check_url(command.url, policy)
    event_types = parse_filters(command.event_types, "body.event_types")
    if await webhooks.count_active(conn, who.street_id) >= rules.MAX_ENDPOINTS_PER_STREET:
        raise RuleViolation("too_many_webhook_endpoints", {"max": rules.MAX_ENDPOINTS_PER_STREET})
    endpoint_id, secret = new_id("webhook_endpoint"), rules.new_secret()
    endpoint = await webhooks.insert(
        conn, id=endpoint_id, street_id=who.street_id, url=url, description=command.description,
        event_types=event_types, secret_sealed=sealer.seal(secret.encode(), _context(endpoint_id)))
    await _record_event(conn, "created", endpoint)
    return endpoint, secret


async def get_endpoint(conn: asyncpg.Connection, who: Principal, endpoint_id: str) -> WebhookEndpoint:
    rules.can_manage_webhooks(who)
    return _found(await webhooks.get(conn, who.street_id, endpoint_id))


async def list_endpoints(conn: asyncpg.Connection, who: Principal, keyset: Keyset) -> list[WebhookEndpoint]:
    rules.can_manage_webhooks(who)
    return await webhooks.page(conn, who.street_id, keyset)


async def update_endpoint(conn: asyncpg.Connection, who: Principal, endpoint_id: str, command: ChangeEndpoint,
                          precondition: Precondition, policy: EgressPolicy) -> WebhookEndpoint:
    """Change the URL, description, type filter or ``enabled``. Enabling clears the reason it
    was disabled and its streak of failures; disabling cancels the deliveries waiting."""
    rules.can_manage_webhooks(who)
    current = _found(await webhooks.get(conn, who.street_id, endpoint_id, for_update=True))
    precondition(current)
    changes = changes_of(command)
    if "url" in changes:
        await check_url(changes["url"], policy)
    if "event_types" in changes:
        changes["event_types"] = parse_filters(changes["event_types"] or [], "body.event_types")
    if "description" in changes and changes["description"] is None:
        changes["description"] = ""
    changes = {k: v for k, v in changes.items() if getattr(current, k) != v}
    if not changes:
        return current
    if changes.get("enabled") is True:
        changes.update(disabled_reason=None, disabled_at=None, failing_since=None)
    elif changes.get("enabled") is False:
        changes.update(disabled_reason=rules.MANUAL, disabled_at=real_now())
        await deliveries.cancel_pending(conn, endpoint_id, "endpoint_disabled")
    endpoint = await webhooks.update(conn, who.street_id, endpoint_id, changes)
    await _record_event(conn, "updated", endpoint, changed=sorted(changes))
    return endpoint


async def delete_endpoint(conn: asyncpg.Connection, who: Principal, endpoint_id: str,
                          precondition: Precondition) -> None:
    rules.can_manage_webhooks(who)
    current = _found(await webhooks.get(conn, who.street_id, endpoint_id, for_update=True))
    precondition(current)
    await deliveries.cancel_pending(conn, endpoint_id, "endpoint_deleted")
    await webhooks.mark_deleted(conn, who.street_id, endpoint_id)
    await _record_event(conn, "deleted", current)


async def rotate_secret(conn: asyncpg.Connection, who: Principal, sealer: Sealer, endpoint_id: str,
                        precondition: Precondition, overlap: timedelta = DEFAULT_OVERLAP
                        ) -> tuple[WebhookEndpoint, str]:
    """A new secret, shown this once. The old one keeps signing (beside the new one) until
    the overlap ends, real time, so receivers can switch without missing a delivery. A
    secret still in an earlier overlap is dropped: two are valid at most."""
    rules.can_manage_webhooks(who)
    precondition(_found(await webhooks.get(conn, who.street_id, endpoint_id, for_update=True)))
    secret, context = rules.new_secret(), _context(endpoint_id)
    endpoint = await webhooks.rotate_secret(
        conn, who.street_id, endpoint_id, secret_sealed=sealer.seal(secret.encode(), context),
        previous_sealed=await webhooks.sealed_secret(conn, endpoint_id),
        previous_expires_at=real_now() + overlap)
    await _record_event(conn, "secret_rotated", endpoint)
    return endpoint, secret


def open_secrets(sealer: Sealer, endpoint_id: str, current: bytes, previous: bytes | None,
                 previous_expires_at: datetime | None, now: datetime) -> list[bytes]:
    """The HMAC keys to sign with now: the current secret's, and the previous one's during
    its overlap (``now`` is real time: signatures are security time)."""
    context = _context(endpoint_id)
    keys = [rules.secret_key(sealer.open(current, context).decode())]
    if previous is not None and previous_expires_at is not None and now < previous_expires_at:
        keys.append(rules.secret_key(sealer.open(previous, context).decode()))
    return keys


async def list_deliveries(conn: asyncpg.Connection, who: Principal, endpoint_id: str, keyset: Keyset,
                          status: str | None) -> list[WebhookDelivery]:
    rules.can_manage_webhooks(who)
    _found(await webhooks.get(conn, who.street_id, endpoint_id))
    return await deliveries.page(conn, endpoint_id, keyset, status=status)


async def retry_delivery(conn: asyncpg.Connection, who: Principal, delivery_id: str,
                         now: datetime) -> WebhookDelivery:
    """Attempt the delivery again now (business time). A delivery that used its whole schedule
    gets this one attempt; one still pending is simply brought forward."""
    rules.can_manage_webhooks(who)
    try:
        _, endpoint_enabled = _found(await deliveries.get_for_retry(conn, who.street_id, delivery_id))
    except asyncpg.LockNotAvailableError:
        raise Conflict("delivery_in_progress") from None
    if not endpoint_enabled:
        raise Conflict("webhook_endpoint_disabled")
    delivery = await deliveries.schedule_now(conn, delivery_id, now)
    await append_event(conn, type="webhook_delivery.retry_requested", street_id=who.street_id,
                       subject=Subject("webhook_delivery", delivery_id),
                       data={"webhook_delivery": {"id": delivery_id, "endpoint_id": delivery.endpoint_id,
                                                  "event_id": delivery.event_id}})
    return delivery


async def fan_out(conn: asyncpg.Connection, targets: list[tuple[str, str, str, str]], due_at: datetime) -> None:
    """Create the deliveries of newly relayed events, due at ``due_at`` (business time):
    (street_id, endpoint_id, event_id, event_type) each. Called by the event relay, in its
    transaction, so an event is in the feed exactly when its deliveries exist."""
    await deliveries.insert_many(conn, [(new_id("webhook_delivery"), *target) for target in targets], due_at)


async def claim_delivery(conn: asyncpg.Connection, now: datetime, busy_endpoints: list[str]) -> DeliveryClaim | None:
    """For the worker, in a transaction: a due delivery of an enabled endpoint not in
    ``busy_endpoints``, row-locked while the receiver is called (store/deliveries.py says why)."""
    return await deliveries.claim(conn, now, busy_endpoints)


async def record_attempt(conn: asyncpg.Connection, item: DeliveryClaim, now: datetime, *,
                         status_code: int | None, error: str | None, duration_ms: int,
                         rand: float) -> tuple[rules.AttemptDecision, bool]:
    """What an attempt the worker made does (in the transaction that holds the delivery): the
    delivery's next state and log, the endpoint's streak of failures, and — when the attempt
    disables the endpoint — its waiting deliveries cancelled and its event. Returns the
    decision and whether this attempt disabled the endpoint."""
    decision = rules.decide(outcome=rules.outcome_of(status_code), attempts_made=item.attempts + 1, now=now,
                            first_attempt_at=item.first_attempt_at or now, failing_since=item.failing_since,
                            rand=rand)
    entry: dict[str, Any] = {"at": now.isoformat().replace("+00:00", "Z"), "status_code": status_code,
                             "error": error, "duration_ms": duration_ms}
    await deliveries.record_attempt(
        conn, item.delivery_id, status=decision.status, next_attempt_at=decision.next_attempt_at,
        attempted_at=now, status_code=status_code, error=error, log=[*item.log, entry][-rules.LOG_LIMIT:])
    disabled = await webhooks.record_health(conn, item.endpoint_id, failing_since=decision.failing_since,
                                            disable_reason=decision.disable_reason)
    if disabled is not None:
        await deliveries.cancel_pending(conn, item.endpoint_id, "endpoint_disabled")
        await _record_event(conn, "disabled", disabled, reason=decision.disable_reason)
    return decision, disabled is not None
