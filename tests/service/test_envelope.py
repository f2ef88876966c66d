"""The event envelope is built once (service/envelope.py) and documented once (the feed's wire
type): a webhook body and a feed entry of the same event are the same bytes."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from api.schemas.events import event_view
from domain.events import Event
from service.envelope import envelope

ids = st.text(alphabet="abcdefghijk_0123456789", min_size=1, max_size=20)
rows = st.builds(
    Event, id=ids, type=ids, occurred_at=st.datetimes(timezones=st.just(UTC)),
    street_id=ids, community_id=st.none() | ids, building_id=st.none() | ids,
    subject_type=ids, subject_id=ids,
    data=st.dictionaries(ids, st.none() | st.integers() | ids, max_size=3),
    position=st.none() | st.integers(),  # the feed's numbering is not part of the envelope
)


@given(rows)
def test_the_feed_and_a_webhook_body_encode_an_event_alike(row):
    assert msgspec.json.encode(envelope(row)) == msgspec.json.encode(event_view(row))


def test_the_envelope_names_the_documented_fields_in_order():
    row = Event(id="evt_1", type="household.created", occurred_at=datetime(2026, 12, 1, 8, tzinfo=UTC),
                street_id="str_1", community_id=None, building_id="bld_1", subject_type="household",
                subject_id="hh_1", data={"household": {"id": "hh_1"}}, position=7)
    assert msgspec.json.decode(msgspec.json.encode(envelope(row))) == {
        "id": "evt_1", "type": "household.created", "occurred_at": "2026-12-01T08:00:00Z",
        "street_id": "str_1", "community_id": None, "building_id": "bld_1",
        "subject": {"type": "household", "id": "hh_1"}, "data": {"household": {"id": "hh_1"}}}
    assert list(envelope(row)) == [f.name for f in msgspec.structs.fields(event_view(row))]
