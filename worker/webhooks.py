"""Webhook delivery: claim a due delivery, sign it, POST it, record the attempt.

At least once: the attempt is recorded in the transaction that holds the delivery, after the
receiver answered, so a worker that dies mid-call leaves the delivery due and the next worker
sends it again — with the same ``webhook-id`` (the delivery's id) and the same body, so the
receiver can tell a repeat. A slow receiver holds one of this worker's slots for at most the
request timeout, never the API; and this process calls one endpoint at a time, so one slow
street does not take every slot."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime

import asyncpg
import msgspec
import structlog

from domain import webhooks as rules
from domain.clock import real_now
from domain.webhooks import DeliveryClaim
from service.envelope import envelope
from usecases.clock import BusinessClock
from usecases.crypto import Sealer
from usecases.webhooks import claim_delivery, open_secrets, record_attempt
from worker.dispatch import Dispatcher
from worker.http import Answer, Sender

log = structlog.get_logger("bilin.worker")


def signed_request(sealer: Sealer, item: DeliveryClaim, real: datetime) -> tuple[dict[str, str], bytes]:
    """Headers and body of an attempt. The timestamp is real time (security time: receivers
    reject stale ones), whatever the test clock says."""
    body = msgspec.json.encode(envelope(item.event))
    keys = open_secrets(sealer, item.endpoint_id, item.secret_sealed, item.previous_secret_sealed,
                        item.previous_secret_expires_at, real)
    timestamp = int(real.timestamp())
    return {
        "content-type": "application/json",
        "webhook-id": item.delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": rules.signature_header(keys, item.delivery_id, timestamp, body),
    }, body


class Deliverer:
    def __init__(self, pool: asyncpg.Pool, clock: BusinessClock, sealer: Sealer, sender: Sender, *,
                 slots: int, poll: float = 0.5) -> None:
        self.clock = clock
        self.sealer = sealer
        self.sender = sender
        self.busy: set[str] = set()  # endpoints this process is calling right now
        self.dispatcher = Dispatcher("webhooks", pool, slots=slots, poll=poll, claim=self._claim,
                                     work=self._deliver, release=self._release)

    async def run(self, stopping: asyncio.Event) -> None:
        await self.dispatcher.run(stopping)

    async def _claim(self, conn: asyncpg.Connection) -> tuple[DeliveryClaim, datetime] | None:
        now = await self.clock.now(conn)
        item = await claim_delivery(conn, now, sorted(self.busy))
        if item is None:
            return None
        self.busy.add(item.endpoint_id)
        return item, now

    def _release(self, claimed: tuple[DeliveryClaim, datetime]) -> None:
        # Only once the attempt is committed: an endpoint this attempt disables is not called again.
        self.busy.discard(claimed[0].endpoint_id)

    async def _deliver(self, conn: asyncpg.Connection, claimed: tuple[DeliveryClaim, datetime]) -> None:
        item, now = claimed
        try:
            headers, body = signed_request(self.sealer, item, real_now())
        except Exception:  # the secret does not open (BILIN_DATA_KEY changed?): a failed attempt
            log.exception("webhook_signing_failed", delivery_id=item.delivery_id)
            answer = Answer(None, "signing_failed", 0)
        else:
            answer = await self.sender.post(item.url, headers, body)
        decision, disabled = await record_attempt(conn, item, now, status_code=answer.status_code,
                                                  error=answer.error, duration_ms=answer.duration_ms,
                                                  rand=random.random())
        log.info("webhook_attempt", delivery_id=item.delivery_id, endpoint_id=item.endpoint_id,
                 attempt=item.attempts + 1, status_code=answer.status_code, error=answer.error,
                 duration_ms=answer.duration_ms, outcome=decision.status,
                 endpoint_disabled=decision.disable_reason if disabled else None)
