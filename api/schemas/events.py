"""Wire types of the event feed. An event has one shape everywhere: in
the feed and as the body of a webhook delivery."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from api.schemas.common import Stamp
from domain.events import Event as EventModel
from service.envelope import envelope


class EventSubject(msgspec.Struct):
    type: Annotated[str, Meta(examples=["household"])]
    id: Annotated[str, Meta(examples=["hh_5t7v9x2b4d6f8h1k"])]


class Event(msgspec.Struct):
    id: Annotated[str, Meta(examples=["evt_8c2k4m6p8r1t3v5x"])]
    type: Annotated[str, Meta(examples=["household.created"])]
    occurred_at: Stamp
    street_id: Annotated[str, Meta(examples=["str_2b4d6f8h1k3m5n7q"])]
    community_id: Annotated[str, Meta(examples=["com_7k2m9q4x8r1t5v3w"])] | None
    building_id: Annotated[str, Meta(examples=["bld_3n8p2k5m7q9r4t6v"])] | None
    subject: EventSubject
    data: Annotated[dict[str, Any], Meta(
        description="The change: the resource as it is after it, and for updates the changed fields.",
        examples=[{"household": {"id": "hh_5t7v9x2b4d6f8h1k", "unit_label": "3-1-201"}}])]


class EventPage(msgspec.Struct):
    """A page of the feed, oldest first. ``next_cursor`` is where to continue — at the end of
    the feed too, where it is the cursor to poll with later; ``has_more`` says whether more
    events are there right now."""

    data: list[Event]
    next_cursor: Annotated[str, Meta(examples=["e2a"])] | None
    has_more: Annotated[bool, Meta(examples=[False])]


def event_view(event: EventModel) -> Event:
    # The shape is built once, in service/envelope.py, where the worker builds it too.
    return msgspec.convert(envelope(event), Event)
