"""Frozen models where rows were: a page continues after its last model, as a page of rows
does; an event snapshot is made of a model as of a row."""

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


def test_a_models_snapshot_leaves_the_street_out_and_is_json_ready():
    from decimal import Decimal

    from store.rows import snapshot

    @dataclass(frozen=True, slots=True)
    class Placed:
        id: str
        street_id: str
        area: Decimal
        at: datetime
        inner: Thing

    at = datetime(2026, 12, 1, tzinfo=UTC)
    assert snapshot(Placed("x", "str_1", Decimal("70.50"), at, Thing("t", at, at))) == {
        "id": "x", "area": "70.50", "at": "2026-12-01T00:00:00Z",
        "inner": {"id": "t", "created_at": "2026-12-01T00:00:00Z", "updated_at": "2026-12-01T00:00:00Z"}}
