"""Street statistics beyond the figures' brute force (tests/api/test_stats.py): who may read
which scope, and an activity sign-up as an act of the participation rate."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.town import build_town

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def test_who_may_read_which_scope(client, db, town, platform, other_platform):
    p = town.people

    async def status(who_headers, **params) -> int:
        return (await client.get("/v1/stats", headers=who_headers, params=params)).status_code

    assert await status(platform.headers()) == 200
    assert await status(p["officer"].headers()) == 200
    assert await status(p["staff"].headers()) == 403
    assert await status(p["head"].headers()) == 403
    assert await status(p["staff"].headers(), scope="community", id=town.community) == 200
    assert await status(p["far_staff"].headers(), scope="community", id=town.community) == 404  # unseen
    assert await status(p["leader"].headers(), scope="building", id=town.building) == 200
    assert await status(p["staff"].headers(), scope="building", id=town.building) == 200
    assert await status(p["leader"].headers(), scope="community", id=town.community) == 403
    assert await status(p["head"].headers(), scope="building", id=town.building) == 403
    assert await status(p["stranger"].headers(), scope="building", id=town.building) == 404
    assert await status(other_platform.headers(), scope="building", id=town.building) == 404
    assert await status(platform.headers(), scope="street", id=other_platform.street_id) == 404
    unnamed = await client.get("/v1/stats", headers=platform.headers(), params={"scope": "building"})
    assert unnamed.status_code == 422 and unnamed.json()["code"] == "stats_id_required"
    assert await status(platform.headers(), **{"from": "2026-12-31", "to": "2026-12-01"}) == 422
    reader = await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": platform.client_id, "client_secret": platform.secret,
        "scope": "webhooks:manage"})
    narrow = {"Authorization": f"Bearer {reader.json()['access_token']}"}
    refused = await client.get("/v1/stats", headers=narrow)
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"


async def test_an_activity_sign_up_alone_makes_its_household_take_part(client, db, town, platform):
    """The participation rate's acts include activity sign-ups: a household whose only act is a
    sign-up counts, once the sign-up is made, and not before."""
    head, leader = town.people["head"], town.people["leader"]
    params = {"scope": "building", "id": town.building}

    async def taking_part() -> tuple[int, int]:
        figures = (await client.get("/v1/stats", headers=platform.headers(), params=params)).json()["figures"]
        return figures["participation_rate"]["numerator"], figures["active_residents"]

    before = await taking_part()
    starts = datetime.now(SH) + timedelta(days=2)
    made = await client.post(f"/v1/buildings/{town.building}/activities", headers=leader.headers(), json={
        "title": "茶话会", "category": "culture", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat()})
    activity = made.json()["id"]
    await client.post(f"/v1/activities/{activity}/transitions", headers=leader.headers(), json={"to": "published"})
    assert before == await taking_part()  # an activity published is not yet an act of the head's household
    signed = await client.post(f"/v1/activities/{activity}/signups", headers=head.headers(), json={"companions": 0})
    assert signed.status_code == 201, signed.text
    assert await taking_part() == (before[0] + 1, before[1] + 1)
