"""Cursor paging for every collection: ``limit`` (1–100, default 20), an opaque ``cursor``
and, for sync, ``updated_since``; answers ``{"data": [...], "next_cursor": …}``."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import Parameter

from api.conventions.problems import FieldIssue, ProblemError
from api.conventions.validation_messages import described
from store.paging import CHANGED_ASC, NEWEST_FIRST, Keyset, split_page

T = TypeVar("T")
RFC3339 = described(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$",
                    "带时区偏移的 RFC 3339 时间，例如 2026-12-01T08:00:00+08:00",
                    "an RFC 3339 time with an offset, such as 2026-12-01T08:00:00+08:00", "rfc3339")


class Page(msgspec.Struct, Generic[T]):
    data: list[T]
    next_cursor: str | None


def _encode_cursor(order: str, key: tuple[datetime, str]) -> str:
    raw = msgspec.json.encode([order, key[0].isoformat(), key[1]])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_cursor(cursor: str, order: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_order, stamp, last_id = msgspec.json.decode(raw, type=tuple[str, str, str])
        when = datetime.fromisoformat(stamp)
    except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError, TypeError):
        raise ProblemError("invalid_cursor") from None
    if cursor_order != order or when.tzinfo is None:  # a cursor only continues its own order
        raise ProblemError("invalid_cursor")
    return when, last_id


def paging(
    limit: Annotated[int, Parameter(ge=1, le=100, description="Page size, 1–100.")] = 20,
    cursor: Annotated[str | None, Parameter(max_length=512,
                      description="Opaque cursor from the previous page's next_cursor.")] = None,
    updated_since: Annotated[str | None, Parameter(
        pattern=RFC3339, max_length=40,
        description="RFC 3339 time with an offset. Lists rows changed since then, oldest change first.",
    )] = None,
) -> Keyset:
    """Dependency: the keyset a list route pages with."""
    since = parse_rfc3339(updated_since, "query.updated_since") if updated_since is not None else None
    order = CHANGED_ASC if since is not None else NEWEST_FIRST
    after = _decode_cursor(cursor, order) if cursor else None
    return Keyset(order=order, limit=limit, after=after, since=since)


def parse_rfc3339(text: str, field: str) -> datetime:
    """A strict RFC 3339 time (an offset is required), as UTC."""
    if not re.match(RFC3339, text):
        raise ProblemError("validation_failed", errors=[FieldIssue(field, "offset_required")])
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        raise ProblemError("validation_failed", errors=[FieldIssue(field, "invalid_value")]) from None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # a valid time just past the representable range: clamp to its edge
        edge = datetime.max if moment.year > 1 else datetime.min
        return edge.replace(tzinfo=UTC)


def page_of(rows: Sequence[Any], keyset: Keyset, to_resource: Callable[[Any], T]) -> Page[T]:
    page, next_key = split_page(rows, keyset)
    return Page(
        data=[to_resource(row) for row in page],
        next_cursor=_encode_cursor(keyset.order, next_key) if next_key else None,
    )
