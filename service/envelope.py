"""The envelope of an event as clients see it: one shape in the feed and as the body of a
webhook delivery.

It lives here, not among the API's wire types, because both processes build it — the API
for the feed, the worker for each delivery — and the worker loads no HTTP framework. A plain
dict in the field order of the documented wire type (``api/schemas/events.py`` ``Event``),
so both encode to the same bytes (tests/unit/test_envelope.py holds them together)."""

from __future__ import annotations

from typing import Any

from domain.events import Event


def envelope(event: Event) -> dict[str, Any]:
    """The client-visible shape of an outbox event."""
    return {
        "id": event.id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "street_id": event.street_id,
        "community_id": event.community_id,
        "building_id": event.building_id,
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "data": event.data,
    }
