"""Free text (titles, descriptions, comments, reasons, purposes, notes) is personal data: it
never enters an event (kept for weeks, pushed to webhooks), and `DELETE /v1/me` erases the
text a person wrote, keeping the rows so that past acts stay, anonymous."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from domain.events import FREE_TEXT_KEYS
from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.proposals import run_due_jobs, stamp
from tests.support.spaces import day_ahead, new_space, span
from tests.support.town import build_town

pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


class Pen:
    """Unique texts, each with a phone number in it, to find wherever they leak to."""

    def __init__(self, who: str) -> None:
        self.mark = f"{who}-{uuid.uuid4().hex[:8]}"

    def __call__(self, kind: str) -> str:
        return f"{self.mark}-{kind} 邻居电话13912345678"


async def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


async def write_everything(client, db, town, platform, mine: Pen, theirs: Pen) -> dict:
    """The head writes text of every kind (``mine``); leaders and the platform write theirs."""
    head, leader, tenant = town.people["head"], town.people["leader"], town.people["tenant"]
    ids: dict = {}

    # Places, an organisation and a space (the platform's and the leader's text).
    community = await ok(await client.post("/v1/communities", headers=platform.headers(),
                                           json={"name": theirs("community")}), 201)
    await ok(await client.patch(f"/v1/communities/{community['id']}", headers=platform.headers(),
                                json={"name": theirs("community2")}))
    building = await ok(await client.post(f"/v1/communities/{community['id']}/buildings", headers=platform.headers(),
                                          json={"name": theirs("building"), "address": theirs("address")}), 201)
    await ok(await client.patch(f"/v1/buildings/{building['id']}", headers=platform.headers(),
                                json={"compound_name": theirs("compound")}))
    household = await ok(await client.post(f"/v1/buildings/{building['id']}/households", headers=platform.headers(),
                                           json={"unit_label": theirs("unit")[:32], "area_m2": "80.00"}), 201)
    await ok(await client.patch(f"/v1/households/{household['id']}", headers=platform.headers(),
                                json={"unit_label": theirs("unit2")[:32]}))
    await ok(await client.post("/v1/organizations", headers=platform.headers(),
                               json={"name": theirs("organization"), "kind": "volunteer_team"}), 201)
    space = await new_space(client, town)
    await ok(await client.patch(f"/v1/spaces/{space['id']}", headers=leader.headers(), json={"name": theirs("space")}))

    # A proposal walked through every stage, with the head's text at each step.
    created = await ok(await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(), json={
        "title": mine("title"), "description": mine("description"), "category": "facilities"}), 201)
    pid = ids["proposal"] = created["id"]
    url = f"/v1/proposals/{pid}"
    await ok(await client.patch(url, headers=head.headers(), json={"description": mine("description2")}))
    await ok(await client.post(f"{url}/options", headers=head.headers(),
                               json={"title": mine("option"), "description": mine("option-description")}), 201)
    await ok(await client.post(f"{url}/supports", headers=head.headers(), json={}))
    await ok(await client.delete(f"{url}/supports/mine", headers=head.headers()), 204)
    comment = await ok(await client.post(f"{url}/comments", headers=head.headers(), json={"body": mine("comment")}), 201)
    ids["comment"] = comment["id"]
    kept = await ok(await client.post(f"{url}/comments", headers=head.headers(),
                                      json={"body": mine("reply"), "parent_id": comment["id"]}), 201)
    ids["reply"] = kept["id"]
    await ok(await client.post(f"/v1/comments/{comment['id']}/hide", headers=leader.headers(),
                               json={"reason": theirs("hide-reason")}))
    await ok(await client.post(f"{url}/transitions", headers=leader.headers(),
                               json={"to": "deliberating", "reason": theirs("early")}))
    now = await business_now(db)
    await ok(await client.post(f"{url}/transitions", headers=leader.headers(), json={
        "to": "voting", "reason": theirs("vote"), "ballot": {"closes_at": stamp(now + timedelta(hours=25))}}))
    await ok(await client.put(f"{url}/ballot", headers=head.headers(), json={"choice": "yes"}))
    await client.post("/v1/test-clock", json={"advance_seconds": 25 * 3600})
    assert await run_due_jobs(db) >= 1
    await ok(await client.post(f"{url}/transitions", headers=leader.headers(), json={"to": "evaluating"}))
    await ok(await client.post(f"{url}/evaluations", headers=head.headers(),
                               json={"stars": 4, "text": mine("evaluation")}), 201)
    await ok(await client.post(f"{url}/transitions", headers=leader.headers(),
                               json={"to": "closed", "reason": theirs("close")}))
    withdrawn = await ok(await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                                           json={"title": mine("title2"), "category": "other"}), 201)
    await ok(await client.post(f"/v1/proposals/{withdrawn['id']}/transitions", headers=head.headers(),
                               json={"to": "closed", "outcome": "withdrawn", "reason": mine("withdraw")}))
    ids["withdrawn"] = withdrawn["id"]
    dismissed = await ok(await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                                           json={"title": mine("title3"), "category": "other"}), 201)
    await ok(await client.post(f"/v1/proposals/{dismissed['id']}/transitions", headers=leader.headers(),
                               json={"to": "closed", "outcome": "dismissed", "reason": theirs("dismiss")}))

    # A report turned into a task (whose default title and description copy the report's).
    report = await ok(await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(), json={
        "category": "safety", "description": mine("report"), "location": mine("location"), "urgency": "urgent",
        "photo_urls": [f"https://img.example.cn/{mine.mark}.jpg"]}), 201)
    ids["report"] = report["id"]
    await ok(await client.post(f"/v1/reports/{report['id']}/transitions", headers=leader.headers(),
                               json={"to": "acknowledged", "reason": theirs("ack")}))
    task = await ok(await client.post(f"/v1/reports/{report['id']}/tasks", headers=leader.headers(), json={
        "assignee": {"type": "person", "id": tenant.person_id}}), 201)
    ids["report_task"] = task["id"]
    turl = f"/v1/tasks/{task['id']}"
    await ok(await client.post(f"{turl}/transitions", headers=tenant.headers(), json={"to": "in_progress"}))
    await ok(await client.post(f"{turl}/updates", headers=tenant.headers(), json={"note": theirs("progress")}), 201)
    await ok(await client.post(f"{turl}/transitions", headers=tenant.headers(), json={"to": "done"}))
    await ok(await client.post(f"{turl}/transitions", headers=head.headers(),
                               json={"to": "in_progress", "reason": mine("send-back")}))
    await ok(await client.post(f"{turl}/transitions", headers=tenant.headers(), json={"to": "done"}))
    await ok(await client.post(f"{turl}/transitions", headers=head.headers(), json={"to": "verified"}))
    await ok(await client.post(f"/v1/reports/{report['id']}/feedback", headers=head.headers(),
                               json={"rating": 5, "comment": mine("feedback")}))
    rejected = await ok(await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(), json={
        "category": "other", "description": mine("report2")}), 201)
    await ok(await client.post(f"/v1/reports/{rejected['id']}/transitions", headers=leader.headers(),
                               json={"to": "rejected", "reason": theirs("reject")}))

    # A task the head is assigned: a progress note of theirs, then a leader cancels it.
    own = await ok(await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(), json={
        "title": theirs("task"), "description": theirs("task-description"), "checklist": [{"text": theirs("item")}],
        "assignee": {"type": "person", "id": head.person_id}}), 201)
    ids["task"] = own["id"]
    await ok(await client.patch(f"/v1/tasks/{own['id']}", headers=leader.headers(),
                                json={"title": theirs("task2")}))
    await ok(await client.post(f"/v1/tasks/{own['id']}/transitions", headers=head.headers(), json={"to": "in_progress"}))
    note = await ok(await client.post(f"/v1/tasks/{own['id']}/updates", headers=head.headers(),
                                      json={"note": mine("note"), "photo_urls": [
                                          f"https://img.example.cn/{mine.mark}-note.jpg"]}), 201)
    ids["note"] = note["id"]
    await ok(await client.post(f"/v1/tasks/{own['id']}/transitions", headers=leader.headers(),
                               json={"to": "cancelled", "reason": theirs("cancel")}))

    # A booking with the head's purpose, cancelled.
    booking = await ok(await client.post(f"/v1/spaces/{space['id']}/bookings", headers=head.headers(), json={
        "attendees": 4, "purpose": mine("purpose"), **span(await day_ahead(db), 60)}), 201)
    ids["booking"] = booking["id"]
    await ok(await client.post(f"/v1/bookings/{booking['id']}/transitions", headers=head.headers(),
                               json={"status": "cancelled"}))
    return ids


EXPECTED_TYPES = {
    "community.created", "community.updated", "building.created", "building.updated", "household.created",
    "household.updated", "organization.created", "space.created", "space.updated", "proposal.created",
    "proposal.updated", "proposal.option_added", "proposal.supported", "proposal.support_withdrawn",
    "comment.created", "comment.hidden", "proposal.stage_changed", "ballot.cast", "proposal.decided",
    "proposal.evaluated", "report.created", "report.urgent", "report.status_changed", "task.created",
    "task.status_changed", "task.progress_noted", "task.updated", "report.feedback_given", "booking.created",
    "booking.status_changed",
}


def free_text_keys(value, path: str = "data") -> list[str]:
    if isinstance(value, dict):
        found = [f"{path}.{k}" for k in value if k in FREE_TEXT_KEYS]
        return found + [p for k, v in value.items() for p in free_text_keys(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for item in value for p in free_text_keys(item, path)]
    return []


async def test_no_event_carries_free_text(client, db, town, platform):
    mine, theirs = Pen("mine"), Pen("theirs")
    await write_everything(client, db, town, platform, mine, theirs)
    rows = await db.fetch("SELECT type, data FROM events WHERE street_id = $1", town.street_id)
    assert EXPECTED_TYPES <= {row["type"] for row in rows}
    for row in rows:
        text = json.dumps(row["data"], ensure_ascii=False)
        assert not free_text_keys(row["data"]), (row["type"], text)
        assert mine.mark not in text and theirs.mark not in text and "13912345678" not in text, (row["type"], text)
    changed = [r["data"] for r in rows if r["type"] == "proposal.stage_changed"]
    assert {"reason": "vote_closed"}.items() <= next(d for d in changed if d["to"] == "implementing").items()


async def rows_with(db, mark: str) -> list[str]:
    """Every table and column of the database that still holds ``mark`` anywhere."""
    tables = await db.fetch("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
    found = []
    for table in tables:
        name = table["table_name"]
        if await db.fetchval(f'SELECT count(*) FROM "{name}" t WHERE t::text LIKE $1', f"%{mark}%"):
            found.append(name)
    return found


async def test_erasure_removes_the_persons_own_text_and_keeps_the_rows(client, db, town, platform):
    mine, theirs = Pen("mine"), Pen("theirs")
    ids = await write_everything(client, db, town, platform, mine, theirs)
    head, leader = town.people["head"], town.people["leader"]
    assert set(await rows_with(db, mine.mark)) >= {"proposals", "proposal_comments", "proposal_options",
                                                   "proposal_evaluations", "proposal_timeline", "reports",
                                                   "tasks", "task_updates", "bookings"}
    assert (await client.delete("/v1/me", headers=head.headers())).status_code == 204

    assert await rows_with(db, mine.mark) == []  # not in any table, however stored
    assert await rows_with(db, "13912345678") != []  # the leaders' own texts stay
    reads = [f"/v1/proposals/{ids['proposal']}", f"/v1/proposals/{ids['proposal']}/comments",
             f"/v1/proposals/{ids['proposal']}/options", f"/v1/proposals/{ids['withdrawn']}",
             f"/v1/proposals/{ids['withdrawn']}/timeline", f"/v1/reports/{ids['report']}",
             f"/v1/tasks/{ids['report_task']}", f"/v1/tasks/{ids['task']}/updates", f"/v1/bookings/{ids['booking']}",
             f"/v1/buildings/{town.building}/proposals", f"/v1/buildings/{town.building}/reports",
             f"/v1/spaces/{(await db.fetchval('SELECT space_id FROM bookings WHERE id = $1', ids['booking']))}/bookings"]
    for path in reads:
        response = await client.get(path, headers=leader.headers())
        assert response.status_code == 200, (path, response.text)
        assert mine.mark not in response.text, (path, response.text)
    proposal = (await client.get(reads[0], headers=leader.headers())).json()
    assert proposal["title"] == "[已删除]" and proposal["stage"] == "closed"  # the act stays, anonymous
    assert (await client.get(reads[5], headers=leader.headers())).json()["status"] == "closed"
