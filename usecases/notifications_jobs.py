"""The worker's side of subscription messages: fold the event feed into notifications, and
send each due notification at most once.

Folding: events are read in feed order after the fold's last position (under its row lock,
so one fold runs at a time); each event of interest becomes a notification per person,
unique per (event, kind, person), so folding twice adds nothing. A booking's reminder is due
60 minutes before it starts and is cancelled with the booking.

Sending: a due notification is claimed and, in the same transaction, routed (the street's
mini-program client that maps its kind and knows the person) and marked ``sending``; that
commits before WeChat is called, so a crash or a timeout can never lead to a second send.
Only -1 (system busy) puts it back in the queue; a stale token is renewed once inside the call;
a timeout is ``unknown``; everything else is final. A row left ``sending`` by a worker killed
during the call is recorded as ``unknown`` once no live call can still be running
(``abandon_stale``). No accept left locally: ``skipped``
(``no_quota``), WeChat is not asked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg
import structlog

from domain import notifications as rules
from domain.clients import MiniProgramCredentials
from domain.notifications import Notice, Notification, Route
from integrations.wechat import WeChatClient, WeChatError, WeChatTimeout
from store import notifications as store
from usecases.clients import open_app_secret
from usecases.crypto import Sealer

log = structlog.get_logger("bilin.worker")
FOLD_BATCH = 200


def _iso(moment: Any) -> str:
    return moment.isoformat() if isinstance(moment, datetime) else str(moment or "")


def _facts(kind: str, **facts: Any) -> dict[str, str]:
    return {"kind": rules.KIND_LABELS[kind], **{k: str(v) for k, v in facts.items() if v is not None}}


async def _report_notices(conn: asyncpg.Connection, event: asyncpg.Record) -> tuple[list[Notice], str]:
    data, found = event["data"], await store.report_facts(conn, event["subject_id"])
    if found is None or (data.get("by") or {}).get("id") == found["reporter_id"]:
        return [], ""  # the reporter moved it themself: nothing to tell them
    kind = "report_status_changed"
    return [Notice(found["reporter_id"], kind, "report", event["subject_id"], _facts(
        kind, title=rules.REPORT_CATEGORIES.get(found["category"], found["category"]),
        status=rules.STATUS_LABELS.get(data.get("to"), data.get("to")), time=_iso(event["occurred_at"]),
        building=found["building"], community=found["community"], place=found["building"]))], found["timezone"]


async def _task_notices(conn: asyncpg.Connection, event: asyncpg.Record) -> tuple[list[Notice], str]:
    data = event["data"]
    if event["type"] == "task.updated" and "assignee" not in (data.get("changed") or []):
        return [], ""
    found = await store.task_facts(conn, event["subject_id"])
    if found is None or found["assignee_type"] != "person" or not found["assignee_id"]:
        return [], ""  # an organisation's members are told by their organisation
    kind = "task_assigned"
    return [Notice(found["assignee_id"], kind, "task", event["subject_id"], _facts(
        kind, title=found["title"], status=rules.STATUS_LABELS.get(found["status"]),
        time=_iso(found["due_at"] or event["occurred_at"]), building=found["building"],
        community=found["community"], place=found["building"]))], found["timezone"]


async def _booking_notices(conn: asyncpg.Connection, event: asyncpg.Record) -> tuple[list[Notice], str]:
    data = event["data"]
    booking = data.get("booking") or {}
    person, status = booking.get("person_id"), booking.get("status")
    if status in ("cancelled", "rejected", "no_show"):
        await store.cancel_queued(conn, "booking_reminder", "booking", event["subject_id"])
    space = await store.space_facts(conn, booking.get("space_id", ""))
    if not person or space is None:
        return [], ""
    start = datetime.fromisoformat(booking["start_at"])
    facts = {"title": space["name"], "place": space["name"], "time": start.isoformat(),
             "building": space["building"], "community": space["community"]}
    notices = []
    approved = event["type"] == "booking.status_changed" and data.get("previous_status") == "pending"
    if approved and status in ("confirmed", "rejected"):
        kind = "booking_approved" if status == "confirmed" else "booking_rejected"
        notices.append(Notice(person, kind, "booking", event["subject_id"],
                              _facts(kind, status=rules.STATUS_LABELS[status], **facts)))
    if status == "confirmed" and (approved or event["type"] == "booking.created"):
        kind = "booking_reminder"
        notices.append(Notice(person, kind, "booking", event["subject_id"], _facts(kind, **facts),
                              due_at=start - timedelta(minutes=rules.REMINDER_LEAD_MINUTES)))
    return notices, space["timezone"]


async def _vote_notices(conn: asyncpg.Connection, event: asyncpg.Record) -> tuple[list[Notice], str]:
    if event["data"].get("to") != "voting":
        return [], ""
    found, voters = await store.vote_facts(conn, event["subject_id"])
    if found is None:
        return [], ""
    kind = "vote_opened"
    facts = _facts(kind, title=found["title"], status=rules.STATUS_LABELS["voting"], time=_iso(found["closes_at"]),
                   building=found["building"], community=found["community"],
                   place=found["building"] or found["community"])
    return [Notice(p, kind, "proposal", event["subject_id"], facts) for p in voters], found["timezone"]


async def _question_notices(conn: asyncpg.Connection, event: asyncpg.Record) -> tuple[list[Notice], str]:
    found = await store.question_facts(conn, event["subject_id"])
    if found is None:
        return [], ""
    kind = "question_answered"
    return [Notice(found["asker_id"], kind, "question", event["subject_id"], _facts(
        kind, title=found["title"], status=rules.STATUS_LABELS["answered"], time=_iso(event["occurred_at"]),
        community=found["community"], place=found["community"]))], found["timezone"]


FOLDS = {
    "report.status_changed": _report_notices,
    "task.created": _task_notices,
    "task.updated": _task_notices,
    "booking.created": _booking_notices,
    "booking.status_changed": _booking_notices,
    "proposal.stage_changed": _vote_notices,
    "question.answered": _question_notices,
}


async def fold(conn: asyncpg.Connection, now: datetime) -> int:
    """Fold the next batch of the feed into notifications; how many events were read (0:
    nothing new, or another fold holds the lock)."""
    async with conn.transaction():
        last = await store.lock_fold(conn)
        if last is None:
            return 0
        events = await store.events_after(conn, last, FOLD_BATCH)
        for event in events:
            folder = FOLDS.get(event["type"])
            if folder is None:
                continue
            notices, timezone = await folder(conn, event)
            for notice in notices:
                await store.insert(conn, street_id=event["street_id"], origin=event["id"], notice=notice,
                                   timezone=timezone, now=now)
        if events:
            await store.folded(conn, events[-1]["position"])
        return len(events)


def _message(notification: Notification, route: Route) -> dict[str, Any]:
    template = route.template
    message: dict[str, Any] = {
        "touser": route.openid, "template_id": template.get("template_id", ""),
        "data": rules.render_data(template.get("fields") or {}, notification.facts, notification.timezone),
        "miniprogram_state": route.miniprogram_state, "lang": "zh_CN"}
    if template.get("page"):
        message["page"] = template["page"]
    return message


async def _claim(conn: asyncpg.Connection, now: datetime) -> tuple[Notification, Route, dict[str, Any]] | None:
    """Claim one due notification; None when none is due. Those that cannot be sent are
    finished here; the others are marked ``sending`` and committed before the call."""
    while True:
        async with conn.transaction():
            notification = await store.claim_due(conn, now)
            if notification is None:
                return None
            route = await store.route(conn, notification)
            if route is None:
                await store.mark(conn, notification.id, status="skipped", outcome="no_template")
                continue
            template_id = str(route.template.get("template_id", ""))
            if route.remaining <= 0:
                await store.mark(conn, notification.id, status="skipped", outcome="no_quota",
                                 client_id=route.client_id, template_id=template_id)
                continue
            await store.mark(conn, notification.id, status="sending", client_id=route.client_id,
                             template_id=template_id, attempted=True)
            return notification, route, _message(notification, route)


async def abandon_stale(conn: asyncpg.Connection, wechat_timeout: float) -> int:
    """Record rows left ``sending`` by a worker killed during the call as ``unknown``
    (``timeout``): whether WeChat got the message is not known, so it is never sent again, and
    it uses an accept as a timeout does. How many were recorded."""
    async with conn.transaction():
        rows = await store.abandon_stale_sending(conn, rules.stale_sending_after(wechat_timeout))
        for row in rows:
            if row["client_id"] and row["template_id"]:
                await store.use_one(conn, row["client_id"], row["person_id"], row["template_id"])
    for row in rows:
        log.warning("notification_abandoned", notification_id=row["id"])
    return len(rows)


async def send_one(conn: asyncpg.Connection, wechat: WeChatClient, sealer: Sealer, now: datetime) -> bool:
    """Send one due notification (its outcome recorded); False when none is due."""
    claimed = await _claim(conn, now)
    if claimed is None:
        return False
    notification, route, message = claimed
    credentials = MiniProgramCredentials(route.client_id, notification.street_id, route.appid,
                                         route.app_secret_sealed)
    try:
        errcode: int | None = await wechat.send_subscribe_message(
            route.appid, open_app_secret(sealer, credentials), message)
    except WeChatTimeout:
        errcode = None
    except WeChatError as error:  # never reached WeChat (or its token was refused): as busy, or final
        errcode = -1 if error.code in ("wechat_unavailable", "wechat_rate_limited") else -2
    outcome = rules.answer_of(errcode, notification.attempts + 1)
    template_id = str(route.template.get("template_id", ""))
    async with conn.transaction():
        if outcome.status == "queued":
            wait = rules.SEND_BACKOFF.delay(notification.attempts + 1, 0.5) or timedelta()
            await store.mark(conn, notification.id, status="queued", outcome=outcome.outcome, errcode=errcode,
                             due_at=now + wait)
        else:
            await store.mark(conn, notification.id, status=outcome.status, outcome=outcome.outcome, errcode=errcode,
                             sent_at=now if outcome.status == "sent" else None)
        if outcome.status in ("sent", "unknown") or outcome.zero_quota:
            await store.use_one(conn, route.client_id, notification.person_id, template_id, zero=outcome.zero_quota)
    log.info("notification_sent", notification_id=notification.id, kind=notification.kind,
             status=outcome.status, outcome=outcome.outcome, errcode=errcode)
    return True
