"""Event types, the type filters of the feed and of webhook endpoints, and who may read the
feed. A filter is a list of exact types (``task.created``) or resource wildcards
(``task.*``); an empty list matches every type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import Forbidden, InvalidInput
from domain.permissions import Principal

_TYPE = r"[a-z][a-z_]{0,39}\.(?:\*|[a-z][a-z_]{0,59})"
TYPE_PATTERN = re.compile(rf"^{_TYPE}$")
TYPE_LIST_PATTERN = rf"^{_TYPE}(?:,{_TYPE})*$"  # the feed's ?types=, comma-separated
MAX_FILTERS = 50  # per webhook endpoint


def parse_filters(values: list[str], field: str, limit: int | None = MAX_FILTERS) -> list[str]:
    """The distinct filters, in the given order; 400 for one that is not a type or wildcard."""
    if limit is not None and len(values) > limit:
        raise InvalidInput(field, "out_of_range", min=0, max=limit)
    seen: list[str] = []
    for value in values:
        if not TYPE_PATTERN.fullmatch(value):
            raise InvalidInput(field, "invalid_event_type")
        if value not in seen:
            seen.append(value)
    return seen


def matches(event_type: str, filters: list[str]) -> bool:
    """The rule the SQL of the feed and of the webhook fan-out implements (store/feed.py)."""
    if not filters:
        return True
    resource = event_type.split(".", 1)[0]
    return event_type in filters or f"{resource}.*" in filters


def can_read_events(principal: Principal) -> None:
    """The feed is for the street office's platform: a platform client with `street:read`
    (or `street:write`, which implies it)."""
    if principal.kind != "platform":
        raise Forbidden("not_allowed")
    if not principal.scopes & {"street:read", "street:write"}:
        raise Forbidden("insufficient_scope", {"scope": "street:read"})


# What an event's ``data`` may carry: ids, codes, statuses, numbers and times — never free
# text. Events are kept for weeks and pushed to every subscribed endpoint, while free text (a
# report's description with a neighbour's phone number, a booking's purpose, a comment) is
# personal data that must stay erasable in one place: consumers fetch the resource for it.
# ``without_free_text`` is applied by the outbox itself (store/events.py) to every payload, so
# a writer that forgets still leaks nothing; writers leave such fields out in the first place.
FREE_TEXT_KEYS = frozenset({
    "title", "description", "body", "comment", "feedback_comment", "text", "note", "notes", "purpose",
    "location", "photo_urls", "hidden_reason", "checklist", "name", "address", "compound_name",
    "unit_label", "nickname", "real_name", "phone", "display_name", "url",
})
# ``reason`` is kept only when it is one of the service's own codes (``vote_closed``,
# ``erased``…); a reason a person typed is free text.
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def without_free_text(data: object) -> object:
    """``data`` with every free-text field removed, at any depth."""
    if isinstance(data, dict):
        return {key: without_free_text(value) for key, value in data.items()
                if key not in FREE_TEXT_KEYS
                and not (key == "reason" and value is not None and not (isinstance(value, str) and _CODE.match(value)))}
    if isinstance(data, list):
        return [without_free_text(item) for item in data]
    return data


@dataclass(frozen=True, slots=True)
class Event:
    """A committed change, as the feed and a webhook delivery carry it. ``position`` is its
    place in the feed (None until the relay numbers it)."""

    id: str
    type: str
    occurred_at: datetime
    street_id: str
    community_id: str | None
    building_id: str | None
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    position: int | None


@dataclass(frozen=True, slots=True)
class Relayed:
    """An event the relay has just numbered, with one endpoint of its street that wants it
    (``endpoint_id`` None: no endpoint does)."""

    event_id: str
    street_id: str
    type: str
    position: int
    endpoint_id: str | None
