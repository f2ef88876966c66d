"""Event types, the type filters of the feed and of webhook endpoints, and who may read the
feed. A filter is a list of exact types (``task.created``) or resource wildcards
(``task.*``); an empty list matches every type."""

from __future__ import annotations

import re

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
