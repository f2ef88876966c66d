"""A page of frozen models continues after its last model, as a page of rows does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from store.paging import CHANGED_ASC, NEWEST_FIRST, Keyset, split_page


@dataclass(frozen=True, slots=True)
class Thing:
    id: str
    created_at: datetime
    updated_at: datetime


def test_split_page_reads_the_key_of_a_model():
    start = datetime(2026, 12, 1, tzinfo=UTC)
    things = [Thing(f"t{i}", start - timedelta(hours=i), start + timedelta(hours=i)) for i in range(3)]
    page, key = split_page(things, Keyset(NEWEST_FIRST, 2))
    assert page == things[:2] and key == (things[1].created_at, "t1")
    page, key = split_page(things, Keyset(CHANGED_ASC, 2))
    assert key == (things[1].updated_at, "t1")
    assert split_page(things, Keyset(NEWEST_FIRST, 3)) == (things, None)
