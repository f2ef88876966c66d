"""My feed (GET /v1/me/feed): what concerns a person across 看/办/议/问, one item per event
that concerns them, newest first. Which events concern whom is decided as the event is
written (the trigger ``person_feed_fill`` of the announcements-and-questions migration):

- ``announcement_to_acknowledge``: an announcement that asks for acknowledgement was published
  to a household of theirs (the frozen audience);
- ``vote_opened``: a proposal of their building (or community) opened its vote;
- ``report_changed``: a report of theirs moved;
- ``booking_changed``: a booking of theirs moved;
- ``question_answered``: a question of theirs was answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

KINDS = ("announcement_to_acknowledge", "vote_opened", "report_changed", "booking_changed", "question_answered")


@dataclass(frozen=True, slots=True)
class FeedItem:
    event_id: str
    kind: str
    type: str
    occurred_at: datetime
    community_id: str | None
    building_id: str | None
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    created_at: datetime

    @property
    def id(self) -> str:  # the keyset's tie-breaker
        return self.event_id
