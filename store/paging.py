"""Keyset paging, the one way every list is paged (never OFFSET).

Two orders exist: newest first on (created_at, id), and — for sync with ``updated_since`` —
oldest change first on (updated_at, id). A page fetches one row more than it returns, to
know whether another page follows without counting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, is_dataclass
from datetime import datetime
from typing import Any

NEWEST_FIRST = "created_desc"
CHANGED_ASC = "updated_asc"


@dataclass(frozen=True)
class Keyset:
    order: str
    limit: int
    after: tuple[datetime, str] | None = None  # the last (timestamp, id) the client saw
    since: datetime | None = None  # updated_since, only with CHANGED_ASC


def keyset_sql(keyset: Keyset, alias: str, params: list[Any]) -> tuple[str, str]:
    """Return (condition, ORDER BY … LIMIT …) for ``keyset``, appending its values to
    ``params`` so the caller's placeholders stay numbered in order."""
    conditions: list[str] = []
    if keyset.order == NEWEST_FIRST:
        column, direction, compare = f"{alias}.created_at", "DESC", "<"
    else:
        column, direction, compare = f"{alias}.updated_at", "ASC", ">"
        if keyset.since is not None:
            params.append(keyset.since)
            conditions.append(f"{column} >= ${len(params)}")
    if keyset.after is not None:
        params.extend(keyset.after)
        conditions.append(f"({column}, {alias}.id) {compare} (${len(params) - 1}, ${len(params)})")
    params.append(keyset.limit + 1)
    order = f"ORDER BY {column} {direction}, {alias}.id {direction} LIMIT ${len(params)}"
    return (" AND ".join(conditions) or "TRUE"), order


def split_page(rows: Sequence[Any], keyset: Keyset) -> tuple[list[Any], tuple[datetime, str] | None]:
    """The rows of this page and the key to continue after, or None on the last page."""
    page = list(rows[: keyset.limit])
    if len(rows) <= keyset.limit:
        return page, None
    last = page[-1]
    column = "created_at" if keyset.order == NEWEST_FIRST else "updated_at"
    # A page holds a feature's frozen models (attributes) or, where a store still answers
    # with rows, records (keys).
    if is_dataclass(last):
        return page, (getattr(last, column), last.id)
    return page, (last[column], last["id"])
