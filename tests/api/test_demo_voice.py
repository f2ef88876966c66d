"""The demo's 看 and 问: 张小华 signs in through the demo mini-program and finds the pinned
announcement her household acknowledged, the building's notice, and the community's FAQ."""

from __future__ import annotations

import pytest

from tests.api.test_demo import demo_clients_retired_afterwards, load_everything  # noqa: F401 (a fixture)


@pytest.mark.usefixtures("demo_clients_retired_afterwards")
async def test_the_demo_has_a_pinned_acknowledged_announcement_and_a_faq(client, db, test_settings):
    await load_everything(db, test_settings)
    await load_everything(db, test_settings)  # idempotent
    signed_in = await client.post("/v1/auth/token", json={
        "grant_type": "wechat_code", "client_id": "cli_demo_juyuan_mp", "code": "zhang"})
    assert signed_in.status_code == 200, signed_in.text
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    building = await db.fetchval("SELECT id FROM buildings WHERE external_id = 'cli_demo_juyuan-c0-b0'")
    listed = (await client.get(f"/v1/buildings/{building}/announcements", headers=headers)).json()["data"]
    assert len(listed) == 2 and listed[0]["pinned"] and listed[0]["requires_acknowledgement"]
    assert listed[0]["acknowledged_by_me"] and listed[0]["acknowledged"] == 1 and listed[0]["households"] > 1
    community = listed[0]["community_id"]
    faq = (await client.get(f"/v1/communities/{community}/questions?faq=true", headers=headers)).json()["data"]
    assert len(faq) == 3 and {q["status"] for q in faq} == {"answered", "closed"}
    feed = (await client.get("/v1/me/feed", headers=headers)).json()["data"]
    assert {"announcement_to_acknowledge", "question_answered"} <= {item["kind"] for item in feed}
