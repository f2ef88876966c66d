"""The demo's month of activities in 嘉富苑 (usecases/demo_activities.py): loaded through the
use cases once (a second load adds nothing), all published, the tea party's lounge booked,
and 张小华 signed up for two; a few talents shown with consent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.test_demo import demo_clients_retired_afterwards, load_everything  # noqa: F401 (a fixture)


@pytest.mark.usefixtures("demo_clients_retired_afterwards")
async def test_a_month_of_published_activities(db, test_settings):
    await load_everything(db, test_settings)
    await load_everything(db, test_settings)
    street = await db.fetchval("SELECT id FROM streets WHERE name = '菊园新区'")
    rows = await db.fetch("SELECT status, space_id, booking_id, starts_at FROM activities WHERE street_id = $1", street)
    assert len(rows) == 9 and {r["status"] for r in rows} == {"published"}
    assert max(r["starts_at"] for r in rows) - min(r["starts_at"] for r in rows) >= timedelta(days=27)
    booked = [r for r in rows if r["space_id"] is not None]
    assert len(booked) == 1
    assert await db.fetchval("SELECT status FROM bookings WHERE id = $1", booked[0]["booking_id"]) == "confirmed"
    zhang = await db.fetchval("SELECT person_id FROM wechat_identities WHERE openid = 'openid-zhang'")
    assert await db.fetchval("SELECT count(*) FROM activity_signups WHERE person_id = $1 AND status = 'confirmed'",
                             zhang) == 2
    shown = await db.fetch("""SELECT t.person_id, t.consent_version FROM talent_profiles t
                               WHERE t.street_id = $1 AND t.visible ORDER BY t.person_id""", street)
    assert len(shown) == 2 and all(r["consent_version"] for r in shown)
