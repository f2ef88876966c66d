"""What every resource controller shares."""

from __future__ import annotations

from domain.errors import NotFound
from domain.ids import looks_like

BEARER = [{"bearerAuth": []}]


def known_id(kind: str, value: str) -> str:
    """404 at once for a path id that cannot be an id of ``kind`` (no database round trip)."""
    if not looks_like(kind, value):
        raise NotFound("not_found")
    return value
