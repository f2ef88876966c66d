"""Wire type of my feed's items (domain/my_feed.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from api.schemas.common import Stamp
from domain.my_feed import FeedItem as Item

FeedKind = Literal["announcement_to_acknowledge", "vote_opened", "report_changed", "booking_changed",
                   "question_answered"]


class FeedSubject(msgspec.Struct):
    type: str
    id: str


class FeedItem(msgspec.Struct):
    id: Annotated[str, Meta(examples=["evt_5t7v9x2b4d6f8h1k"])]  # the event's id
    kind: FeedKind
    type: Annotated[str, Meta(examples=["question.answered"])]  # the event's type
    subject: FeedSubject
    community_id: str | None
    building_id: str | None
    data: dict[str, Any]  # the event's data: ids, codes and statuses, never free text
    occurred_at: Stamp
    created_at: Stamp


def feed_item_view(item: Item) -> FeedItem:
    return FeedItem(id=item.event_id, kind=item.kind, type=item.type,  # type: ignore[arg-type]
                    subject=FeedSubject(item.subject_type, item.subject_id), community_id=item.community_id,
                    building_id=item.building_id, data=item.data, occurred_at=item.occurred_at,
                    created_at=item.created_at)
