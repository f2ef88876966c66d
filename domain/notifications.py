"""Notifications sent as WeChat subscription messages (订阅消息): the kinds, the vocabulary of
values a template may name, rendering a value to WeChat's limits for its key type, and what
each answer of ``subscribe/send`` means. Pure: no I/O.

A template's fields map WeChat's keys (``thing1``, ``time2``, …: the letters are the key's type,
the digits its number) to a SOURCE, one of ``SOURCES``; a notification carries its facts by
SOURCE, and the worker renders each at send time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.retry import Backoff

KINDS = ("vote_opened", "booking_approved", "booking_rejected", "booking_reminder", "report_status_changed",
         "question_answered", "activity_reminder", "task_assigned")
# activity_reminder is accepted in a mapping; nothing emits it yet.
EMITTED = ("vote_opened", "booking_approved", "booking_rejected", "booking_reminder", "report_status_changed",
           "task_assigned", "question_answered")

# What a SOURCE names, for every kind that has it (docs/notifications.md lists them).
SOURCES = {
    "title": "what the notification is about: the proposal's, task's or question's title, the report's category, the space",
    "status": "the new status, in Chinese (已受理, 处理中, 已解决, 已通过, 已驳回, 投票中, 待处理)",
    "time": "when: the change, the booking's start, the vote's close",
    "place": "the space of a booking, else the building",
    "building": "the building's name",
    "community": "the community's name",
    "kind": "the notification's kind, in Chinese (报事进度, 预约审核, 预约提醒, 投票开始, 任务指派, 问题答复)",
}

MINIPROGRAM_STATES = ("formal", "trial", "developer")
SUBSCRIBE_ANSWERS = ("accept", "reject", "ban", "filter")

# WeChat's limits per key type, in characters.
LIMITS = {"thing": 20, "character_string": 32, "number": 32, "letter": 32, "symbol": 5, "amount": 32,
          "phrase": 5, "name": 10, "time": 32, "date": 32, "phone_number": 17, "car_number": 8}
KEY_PATTERN = r"^(thing|character_string|number|letter|symbol|amount|phrase|name|time|date|phone_number|car_number)[0-9]{1,2}$"
_KEY = re.compile(KEY_PATTERN)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ASCII_STRING = re.compile(r"[0-9A-Za-z_\-.:/#@+]")

STATUS_LABELS = {
    "submitted": "已提交", "acknowledged": "已受理", "in_progress": "处理中", "resolved": "已解决",
    "closed": "已关闭", "rejected": "已驳回", "duplicate": "重复", "confirmed": "已通过", "pending": "待审核",
    "open": "待处理", "voting": "投票中", "done": "已完成", "verified": "已验收", "cancelled": "已取消",
    "answered": "已答复",
}
KIND_LABELS = {
    "vote_opened": "投票开始", "booking_approved": "预约审核", "booking_rejected": "预约审核",
    "booking_reminder": "预约提醒", "report_status_changed": "报事进度", "question_answered": "问题答复",
    "activity_reminder": "活动提醒", "task_assigned": "任务指派",
}
REPORT_CATEGORIES = {
    "safety": "安全隐患", "environment": "环境卫生", "facilities": "设施报修", "parking": "停车问题",
    "pets": "宠物问题", "neighbour_dispute": "邻里纠纷", "elderly_care": "老人关怀", "other": "其他事项",
}

REMINDER_LEAD_MINUTES = 60  # booking_reminder: this long before the booking starts
SEND_BACKOFF = Backoff((30, 120, 600, 1800), jitter=0.2)  # -1 (system busy) only


def key_type(key: str) -> str | None:
    """``thing1`` → ``thing``; None for a key WeChat has no type for."""
    match = _KEY.match(key)
    return match.group(1) if match else None


def wechat_time(moment: datetime, timezone: str) -> str:
    """``2026年12月1日 19:00`` in the place's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(value: str, kind: str, timezone: str) -> str:
    """A fact as WeChat takes it for a key of type ``kind``: never over the type's limit (a
    longer value is refused with 47003), a time in WeChat's format, a phrase in Chinese
    characters only, a character string in the characters WeChat allows."""
    limit = LIMITS.get(kind, 20)
    if kind in ("time", "date"):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return ""
        text = wechat_time(moment, timezone)
        return text if kind == "time" else text.split(" ")[0]
    if kind == "phrase":
        return "".join(_CJK.findall(value))[:limit]
    if kind in ("character_string", "letter", "symbol", "number", "amount", "phone_number", "car_number"):
        return "".join(_ASCII_STRING.findall(value))[:limit]
    return _cut(" ".join(value.split()), limit)  # thing, name: any text, whitespace folded


def render_data(fields: dict[str, str], facts: dict[str, str], timezone: str) -> dict[str, dict[str, str]]:
    """A template's ``data``: each key with its SOURCE's fact rendered for the key's type (a
    fact the notification lacks renders empty)."""
    return {key: {"value": render(facts.get(source, ""), key_type(key) or "thing", timezone)}
            for key, source in fields.items()}


@dataclass(frozen=True, slots=True)
class SendOutcome:
    status: str  # sent | unknown | failed | queued (tried again)
    outcome: str
    zero_quota: bool = False  # 43101: the local count is set to 0


FINAL = {
    43101: "no_quota", 40003: "invalid_openid", 40037: "invalid_template", 41030: "invalid_page",
    47003: "invalid_data",
}


# A ``subscribe/send`` call takes at most this many WeChat timeouts (a token fetch, the send, and
# once more of both after a stale token); a row still ``sending`` this many timeouts past its
# claim was left by a worker killed mid-call.
CALLS_PER_SEND = 4
STALE_MARGIN = 2  # so a slow live call is never taken for an abandoned one


def stale_sending_after(wechat_timeout: float) -> float:
    """Seconds after its claim when a row left ``sending`` is recorded as ``unknown``."""
    return wechat_timeout * CALLS_PER_SEND * STALE_MARGIN


def answer_of(errcode: int | None, attempts_made: int) -> SendOutcome:
    """What a ``subscribe/send`` answer means. ``None``: the call timed out after it may have
    reached WeChat (unknown, never sent again). -1 is tried again while the back-off lasts;
    every other refusal is final."""
    if errcode is None:
        return SendOutcome("unknown", "timeout")
    if errcode == 0:
        return SendOutcome("sent", "sent")
    if errcode == -1:
        retry = SEND_BACKOFF.delay(attempts_made, 0.5) is not None
        return SendOutcome("queued" if retry else "failed", "system_busy")
    if errcode in FINAL:
        return SendOutcome("failed", FINAL[errcode], zero_quota=errcode == 43101)
    return SendOutcome("failed", "wechat_error")


# The models

@dataclass(frozen=True, slots=True)
class MessageTemplates:
    client_id: str
    street_id: str
    miniprogram_state: str
    templates: dict  # KIND → {template_id, page, fields: {KEY: SOURCE}}
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Notification:
    """One notification for one person: the unit sent at most once."""

    id: str
    street_id: str
    person_id: str
    kind: str
    subject_type: str
    subject_id: str
    origin: str
    facts: dict
    timezone: str
    due_at: datetime
    status: str
    outcome: str | None
    errcode: int | None
    attempts: int
    client_id: str | None
    template_id: str | None
    sent_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Route:
    """How a notification reaches its person: a mini-program client of the street that maps
    its kind, the person's openid there, and the local count of their accepts."""

    client_id: str
    appid: str
    app_secret_sealed: bytes
    openid: str
    miniprogram_state: str
    template: dict
    remaining: int


@dataclass(frozen=True, slots=True)
class Notice:
    """A notification to make, as folded from an event."""

    person_id: str
    kind: str
    subject_type: str
    subject_id: str
    facts: dict
    due_at: datetime | None = None  # None: at once
