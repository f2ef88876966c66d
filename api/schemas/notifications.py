"""Wire types of subscription messages: a resident's subscribe answer, a mini-program's
template mapping and the notifications sent to a resident (integrations.md §B)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

import msgspec
from msgspec import Meta

from api.conventions.openapi import Input
from api.conventions.validation_messages import described
from api.schemas.common import Stamp
from domain import notifications as rules

Kind = Literal["vote_opened", "booking_approved", "booking_rejected", "booking_reminder",
               "report_status_changed", "question_answered", "activity_reminder", "task_assigned"]
Source = Literal["title", "status", "time", "place", "building", "community", "kind"]
TemplateId = Annotated[str, Meta(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$",
                                 examples=["9Aw8ny5ZaDcX0Ad8Tq5ISoCjkVcIW7qv7TPYr0UfhBQ"],
                                 description="A subscription message template's id, as WeChat gives it")]
FieldKey = Annotated[str, Meta(pattern=described(
    rules.KEY_PATTERN, "订阅消息模板的字段名：类型加编号，如 thing1、time2",
    "a template field key: its type and number, such as thing1 or time2"), examples=["thing1"])]


class SubscribeAnswer(Input):
    results: Annotated[dict[TemplateId, Literal["accept", "reject", "ban", "filter"]], Meta(
        min_length=1, max_length=20, examples=[{"9Aw8ny5ZaDcX0Ad8Tq5ISoCjkVcIW7qv7TPYr0UfhBQ": "accept"}],
        description="wx.requestSubscribeMessage's answer: each accept allows one message of that template")]


class SubscriptionCounts(msgspec.Struct):
    counts: Annotated[dict[str, int], Meta(
        examples=[{"9Aw8ny5ZaDcX0Ad8Tq5ISoCjkVcIW7qv7TPYr0UfhBQ": 2}],
        description="Messages I may still be sent per template through this mini-program (a hint: WeChat judges)")]


# The schema of a dict says nothing of its keys by itself: these are the notification kinds.
KIND_KEYS = {"propertyNames": {"enum": list(get_args(Kind))}}


class Template(msgspec.Struct, forbid_unknown_fields=True):
    template_id: TemplateId
    page: Annotated[str, Meta(max_length=256, examples=["pages/reports/detail"],
                              description="The mini-program page the message opens")] | None = None
    fields: Annotated[dict[FieldKey, Source], Meta(
        max_length=10, examples=[{"thing1": "title", "phrase2": "status", "time3": "time"}],
        description="Each template key with the value it shows (docs/notifications.md: the sources)")] = {}


class TemplateMapping(Input):
    miniprogram_state: Annotated[Literal["formal", "trial", "developer"], Meta(examples=["formal"])]
    templates: Annotated[dict[Kind, Template], Meta(description="Notification kinds mapped to templates",
                                                    extra_json_schema=KIND_KEYS)]


class MessageTemplates(msgspec.Struct):
    miniprogram_state: Literal["formal", "trial", "developer"]
    templates: Annotated[dict[Kind, Template], Meta(extra_json_schema=KIND_KEYS)]
    updated_at: Stamp


class Subject(msgspec.Struct):
    type: Annotated[str, Meta(examples=["report"])]
    id: Annotated[str, Meta(examples=["rpt_8m3k9x2q7r5t1v4w"])]


class Notification(msgspec.Struct):
    id: Annotated[str, Meta(examples=["ntf_8m3k9x2q7r5t1v4w"])]
    kind: Annotated[str, Meta(examples=["report_status_changed"])]
    subject: Subject
    status: Annotated[Literal["queued", "sending", "sent", "unknown", "failed", "skipped"], Meta(
        examples=["sent"], description="unknown: WeChat did not answer in time (never sent again)")]
    outcome: Annotated[str | None, Meta(examples=["sent"], description=(
        "sent, timeout, no_quota, no_template, system_busy, invalid_openid, invalid_template, "
        "invalid_page, invalid_data, wechat_error, cancelled"))]
    sent_at: Annotated[datetime | None, Meta(examples=["2026-12-01T11:00:00Z"])]
    created_at: Stamp


def templates_view(found: rules.MessageTemplates) -> MessageTemplates:
    return msgspec.convert({"miniprogram_state": found.miniprogram_state, "templates": found.templates,
                            "updated_at": found.updated_at}, MessageTemplates)


def notification_view(n: rules.Notification) -> Notification:
    return Notification(id=n.id, kind=n.kind, subject=Subject(n.subject_type, n.subject_id), status=n.status,
                        outcome=n.outcome, sent_at=n.sent_at, created_at=n.created_at)
