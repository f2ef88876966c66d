"""The overdue ladder (三级联动) and a resolved report closing by itself, with the test clock
moved by the test and the due jobs run by the worker's own runner (no sleeping for days)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.proposals import stamp
from tests.support.tasks import company, run_due_task_jobs
from tests.support.town import build_town

pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def advance(client, db, hours: float) -> None:
    response = await client.post("/v1/test-clock", json={"advance_seconds": int(hours * 3600)})
    assert response.status_code == 200, response.text
    await run_due_task_jobs(db)


async def ladder(db, task_id: str) -> list[tuple[str, str | None]]:
    rows = await db.fetch("SELECT type, data->>'level' AS level FROM events WHERE subject_id = $1 "
                          "AND type IN ('task.overdue', 'task.escalated') ORDER BY seq", task_id)
    return [(r["type"], r["level"]) for r in rows]


async def new_task(client, leader, building, due, **extra) -> str:
    made = await client.post(f"/v1/buildings/{building}/tasks", headers=leader.headers(),
                             json={"title": "清理楼道杂物", "due_at": stamp(due), **extra})
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def test_a_late_task_goes_overdue_then_to_the_community_then_the_street_each_once(client, db, test_settings,
                                                                                          town):
    leader = town.people["leader"]
    org_id, worker = await company(db, test_settings, town)
    now = await business_now(db)
    late = await new_task(client, leader, town.building, now + timedelta(hours=1),
                          assignee={"type": "organization", "id": org_id})
    finished = await new_task(client, leader, town.building, now + timedelta(hours=1),
                              assignee={"type": "organization", "id": org_id})
    moved = await new_task(client, leader, town.building, now + timedelta(hours=1))
    for to in ("in_progress", "done"):
        await client.post(f"/v1/tasks/{finished}/transitions", headers=worker.headers(), json={"to": to})

    await advance(client, db, 2)
    assert await ladder(db, late) == [("task.overdue", None)]
    shown = (await client.get(f"/v1/tasks/{late}", headers=leader.headers())).json()
    assert shown["overdue"] and shown["overdue_at"] and shown["escalation"]["level"] is None
    overdue = (await client.get(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(),
                                params={"overdue": "true"})).json()["data"]
    assert {t["id"] for t in overdue} == {late, moved}
    later = await client.patch(f"/v1/tasks/{moved}", headers=leader.headers(),
                               json={"due_at": stamp(now + timedelta(days=30))})
    assert later.status_code == 200 and later.json()["overdue"] is False and later.json()["overdue_at"] is None

    await advance(client, db, 3 * 24)
    assert await ladder(db, late) == [("task.overdue", None), ("task.escalated", "community")]
    await advance(client, db, 4 * 24)
    await advance(client, db, 1)  # nothing more happens: each step once
    assert await ladder(db, late) == [("task.overdue", None), ("task.escalated", "community"),
                                      ("task.escalated", "street")]
    shown = (await client.get(f"/v1/tasks/{late}", headers=worker.headers())).json()
    assert shown["escalation"]["level"] == "street" and shown["escalation"]["community_at"]
    assert await ladder(db, finished) == []  # reaching done stopped it
    assert await ladder(db, moved) == [("task.overdue", None)]  # its new due time is still ahead


async def test_a_resolved_report_closes_by_itself_seven_days_later(client, db, town):
    head, leader = town.people["head"], town.people["leader"]
    made = await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(),
                             json={"category": "environment", "description": "垃圾桶满溢"})
    report = made.json()["id"]
    for to in ("acknowledged", "in_progress", "resolved"):
        moved = await client.post(f"/v1/reports/{report}/transitions", headers=leader.headers(), json={"to": to})
        assert moved.status_code == 200, moved.text
    await advance(client, db, 6 * 24)
    assert (await client.get(f"/v1/reports/{report}", headers=head.headers())).json()["status"] == "resolved"
    await advance(client, db, 25)
    closed = (await client.get(f"/v1/reports/{report}", headers=head.headers())).json()
    assert closed["status"] == "closed" and closed["feedback"] is None
