"""My feed (GET /v1/me/feed, the community part §10): one newest-first list of what concerns me
across 看/办/议/问 — announcements to acknowledge, votes opened in my building, changes to my
reports and bookings, answers to my questions — filled as the events are written; pages
neither skip nor repeat while new items arrive; only my items, only this street's."""

from __future__ import annotations

import pytest

from tests.support.clock import business_now
from tests.support.proposals import proposal_to_vote
from tests.support.spaces import day_ahead, new_space, span
from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


async def feed(client, who, query: str = "") -> dict:
    return await ok(await client.get(f"/v1/me/feed{query}", headers=who.headers()))


async def walk(client, who, limit: int, between=None) -> list[str]:
    """Every item, page by page; ``between`` runs after the first page."""
    seen, cursor, first = [], None, True
    while True:
        page = await feed(client, who, f"?limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        seen += [item["id"] for item in page["data"]]
        if first and between is not None:
            await between()
        first = False
        if not (cursor := page["next_cursor"]):
            return seen


async def test_what_concerns_me_across_the_four_sections(client, db, town):
    head, tenant, leader, staff = (town.people[k] for k in ("head", "tenant", "leader", "staff"))
    # 看: an announcement that asks for acknowledgement, and one that does not
    ann = await ok(await client.post(f"/v1/buildings/{town.building}/announcements", headers=leader.headers(), json={
        "title": "消防检查", "body": "周六上午入户检查", "requires_acknowledgement": True}), 201)
    await ok(await client.post(f"/v1/buildings/{town.building}/announcements", headers=leader.headers(), json={
        "title": "天气提示", "body": "降温"}), 201)
    # 办: my report moves; my booking is cancelled
    report = await ok(await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(), json={
        "category": "safety", "description": "楼道堆物"}), 201)
    await ok(await client.post(f"/v1/reports/{report['id']}/transitions", headers=leader.headers(),
                               json={"to": "acknowledged"}))
    space = await new_space(client, town)
    booking = await ok(await client.post(f"/v1/spaces/{space['id']}/bookings", headers=head.headers(), json={
        "attendees": 4, "purpose": "读书会", **span(await day_ahead(db), 60)}), 201)
    await ok(await client.post(f"/v1/bookings/{booking['id']}/transitions", headers=head.headers(),
                               json={"status": "cancelled"}))
    # 议: a vote opens in my building
    proposal = await proposal_to_vote(client, tenant, leader, town.building, now=await business_now(db))
    # 问: my question is answered
    question = await ok(await client.post(f"/v1/communities/{town.community}/questions", headers=head.headers(),
                                          json={"title": "垃圾几点收？"}), 201)
    await ok(await client.post(f"/v1/questions/{question['id']}/answers", headers=staff.headers(),
                               json={"body": "每晚 7 点"}), 201)

    items = (await feed(client, head))["data"]
    assert [(i["kind"], i["subject"]["id"]) for i in items] == [
        ("question_answered", question["id"]),
        ("vote_opened", proposal["id"]),
        ("booking_changed", booking["id"]),
        ("report_changed", report["id"]),
        ("announcement_to_acknowledge", ann["id"]),
    ]
    assert items[0]["type"] == "question.answered" and items[0]["data"]["answer_id"]
    assert all(i["created_at"] and i["occurred_at"] for i in items)
    assert "每晚" not in str(items)  # ids, codes and statuses only
    # the tenant: the announcement and the vote only; a far resident: nothing
    assert [i["kind"] for i in (await feed(client, tenant))["data"]] == ["vote_opened", "announcement_to_acknowledge"]
    assert (await feed(client, town.people["far_resident"]))["data"] == []
    assert [i["kind"] for i in (await feed(client, head, "?kind=report_changed&kind=booking_changed"))["data"]] == [
        "booking_changed", "report_changed"]
    refused = await client.get("/v1/me/feed?kind=everything", headers=head.headers())
    assert refused.status_code == 400
    no_sync = await client.get("/v1/me/feed?updated_since=2026-01-01T00:00:00Z", headers=head.headers())
    assert no_sync.status_code == 400 and no_sync.json()["code"] == "validation_failed"


async def test_pages_neither_skip_nor_repeat_while_new_items_arrive(client, db, town):
    head, staff = town.people["head"], town.people["staff"]
    question = await ok(await client.post(f"/v1/communities/{town.community}/questions", headers=head.headers(),
                                          json={"title": "小区停车怎么办理？"}), 201)
    url = f"/v1/questions/{question['id']}/answers"
    for i in range(7):
        await ok(await client.post(url, headers=staff.headers(), json={"body": f"答复 {i}"}), 201)
    before = [i["id"] for i in (await feed(client, head, "?limit=100"))["data"]]
    assert len(before) == 7

    async def more_arrive() -> None:
        for i in range(3):
            await ok(await client.post(url, headers=staff.headers(), json={"body": f"新答复 {i}"}), 201)

    walked = await walk(client, head, 2, more_arrive)
    assert walked == before  # no item skipped, none twice, the new ones not slipped in between
    after = [i["id"] for i in (await feed(client, head, "?limit=100"))["data"]]
    assert len(after) == 10 and after[3:] == before  # the new ones come first
    assert await walk(client, head, 3) == after


async def test_only_a_person_has_a_feed(client, platform):
    refused = await client.get("/v1/me/feed", headers=platform.headers())
    assert refused.status_code == 403 and refused.json()["code"] == "person_required"
