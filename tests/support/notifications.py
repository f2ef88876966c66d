"""Drive subscription messages as the worker does, in the test's process: number the feed,
fold it into notifications, send what is due through the WeChat stand-in; and subscribe a
town's residents, as their mini-program would."""

from __future__ import annotations

import uuid

import asyncpg

from integrations.wechat import WeChatClient
from usecases.clock import BusinessClock
from usecases.crypto import Sealer
from worker.notifications import notify_once
from worker.relay import relay_once

CLOCK = BusinessClock(enabled=True, ttl=0)
# A template's fields: WeChat's keys to the notification's values (docs/notifications.md).
FIELDS = {"thing1": "title", "phrase2": "status", "time3": "time", "thing4": "place"}


async def subscribe_town(client, db: asyncpg.Pool, town, platform, kinds: tuple[str, ...], *,
                         accepts: int = 2) -> dict[str, str]:
    """The town's mini-program maps each of ``kinds`` to the template ``tmpl-<kind>``; every
    person of the town's building and community (not ``far…``, not the stranger) has an openid
    there and accepted each template ``accepts`` times. Returns each person's openid by key."""
    mapping = {"miniprogram_state": "trial", "templates": {
        kind: {"template_id": f"tmpl-{kind}", "fields": FIELDS} for kind in kinds}}
    put = await client.put(f"/v1/clients/{town.client_id}/message-templates", headers=platform.headers(),
                           json=mapping)
    assert put.status_code == 200, put.text
    appid = await db.fetchval("SELECT appid FROM clients WHERE id = $1", town.client_id)
    openids = {}
    for key, person in town.people.items():
        if key.startswith("far") or key == "stranger":
            continue
        openids[key] = f"openid-{uuid.uuid4().hex[:12]}"
        await db.execute("INSERT INTO wechat_identities (appid, openid, person_id) VALUES ($1, $2, $3)",
                         appid, openids[key], person.person_id)
        for _ in range(accepts):
            answer = await client.post("/v1/me/subscriptions", headers=person.headers(),
                                       json={"results": {f"tmpl-{kind}": "accept" for kind in kinds}})
            assert answer.status_code == 200, answer.text
    return openids


async def deliver_notifications(db: asyncpg.Pool, wechat_base: str, sealer: Sealer, *, timeout: float = 1.0) -> int:
    wechat = WeChatClient(wechat_base, timeout=timeout)
    handled = 0
    try:
        async with db.acquire() as conn:
            await relay_once(conn, CLOCK)
            while sent := await notify_once(conn, CLOCK, wechat, sealer):
                handled += sent
    finally:
        await wechat.aclose()
    return handled
