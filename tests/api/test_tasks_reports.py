"""Reports and tasks by HTTP (resources.md §3): an urgent report worked to the end by a
property company, who sees which tasks, and two verifiers at once."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.platform import new_street_client, sign_in
from tests.support.tasks import company
from tests.support.town import build_town


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def events_of(db, subject_id: str) -> list[str]:
    rows = await db.fetch("SELECT type FROM events WHERE subject_id = $1 ORDER BY seq", subject_id)
    return [r["type"] for r in rows]


async def move(client, person, task_id: str, to: str, **extra):
    return await client.post(f"/v1/tasks/{task_id}/transitions", headers=person.headers(), json={"to": to, **extra})


async def test_an_urgent_report_is_worked_by_the_property_company_to_feedback(client, db, test_settings, town):
    head, leader = town.people["head"], town.people["leader"]
    org_id, worker = await company(db, test_settings, town)
    created = await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(), json={
        "category": "safety", "description": "楼道电线裸露", "location": "3 楼", "urgency": "urgent",
        "photo_urls": ["https://img.example.cn/a.jpg"]})
    assert created.status_code == 201, created.text
    report = created.json()
    assert report["status"] == "submitted" and report["reported_by_me"] and report["id"].startswith("rpt_")
    assert await events_of(db, report["id"]) == ["report.created", "report.urgent"]  # at once, same transaction

    converted = await client.post(f"/v1/reports/{report['id']}/tasks", headers=leader.headers(), json={
        "assignee": {"type": "organization", "id": org_id}, "due_at": "2099-01-01T12:00:00+08:00",
        "checklist": [{"text": "断电"}, {"text": "更换电线"}]})
    assert converted.status_code == 201, converted.text
    task = converted.json()
    assert task["source"] == "report" and task["source_id"] == report["id"] and task["priority"] == "urgent"
    assert task["assignee"] == {"type": "organization", "id": org_id} and task["status"] == "open"
    linked = (await client.get(f"/v1/reports/{report['id']}", headers=head.headers())).json()
    assert linked["task_id"] == task["id"] and linked["status"] == "in_progress"

    mine = (await client.get("/v1/me/tasks", headers=worker.headers())).json()
    assert [t["id"] for t in mine["data"]] == [task["id"]]
    assert (await move(client, leader, task["id"], "in_progress")).status_code == 403  # the assignee works it
    assert (await move(client, worker, task["id"], "in_progress")).status_code == 200
    ticked = await client.patch(f"/v1/tasks/{task['id']}", headers=worker.headers(),
                                json={"checklist": [{"text": "断电", "done": True}, {"text": "更换电线", "done": True}]})
    assert ticked.status_code == 200, ticked.text
    assert (await client.patch(f"/v1/tasks/{task['id']}", headers=worker.headers(),
                               json={"title": "x"})).status_code == 403
    noted = await client.post(f"/v1/tasks/{task['id']}/updates", headers=worker.headers(),
                              json={"note": "已更换", "photo_urls": ["https://img.example.cn/b.jpg"]})
    assert noted.status_code == 201, noted.text
    notes = (await client.get(f"/v1/tasks/{task['id']}/updates", headers=leader.headers())).json()["data"]
    assert notes[0]["note"] == "已更换" and notes[0]["by"]["id"] == worker.person_id
    done = await move(client, worker, task["id"], "done")
    assert done.json()["status"] == "done"
    rejected = await move(client, leader, task["id"], "in_progress")
    assert rejected.json()["code"] == "transition_reason_required"
    assert (await move(client, leader, task["id"], "in_progress", reason="3 楼仍有裸线")).status_code == 200
    assert (await move(client, worker, task["id"], "done")).status_code == 200
    etag = (await client.get(f"/v1/tasks/{task['id']}", headers=leader.headers())).headers["etag"]
    stale = await client.post(f"/v1/tasks/{task['id']}/transitions", json={"to": "verified"},
                              headers=leader.headers(**{"If-Match": '"stale"'}))
    assert stale.status_code == 412
    verified = await client.post(f"/v1/tasks/{task['id']}/transitions", json={"to": "verified"},
                                 headers=leader.headers(**{"If-Match": etag}))
    assert verified.status_code == 200 and verified.json()["status"] == "verified", verified.text

    resolved = (await client.get(f"/v1/reports/{report['id']}", headers=head.headers())).json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    assert (await client.post(f"/v1/reports/{report['id']}/feedback", headers=leader.headers(),
                              json={"rating": 5})).status_code == 403
    feedback = await client.post(f"/v1/reports/{report['id']}/feedback", headers=head.headers(),
                                 json={"rating": 4, "comment": "处理及时"})
    assert feedback.status_code == 200, feedback.text
    closed = feedback.json()
    assert closed["status"] == "closed" and closed["feedback"]["rating"] == 4
    assert await events_of(db, report["id"]) == [
        "report.created", "report.urgent", "report.status_changed", "report.status_changed",
        "report.feedback_given", "report.status_changed"]
    assert (await events_of(db, task["id"])).count("task.status_changed") == 5


async def test_points_go_to_a_person_assignee_when_verified(client, db, town):
    leader, tenant = town.people["leader"], town.people["tenant"]
    created = await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(), json={
        "title": "清理楼道", "assignee": {"type": "person", "id": tenant.person_id}, "points": 20})
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    for person, to in ((tenant, "in_progress"), (tenant, "done"), (leader, "verified")):
        assert (await move(client, person, task_id, to)).status_code == 200
    assert (await client.get("/v1/me", headers=tenant.headers())).json()["points_balance"] == 20
    assert (await move(client, leader, task_id, "cancelled", reason="x")).json()["code"] == "wrong_task_status"


async def test_organisation_members_see_only_their_tasks_and_other_buildings_see_none(client, db, test_settings,
                                                                                       town):
    leader, far = town.people["leader"], town.people["far_resident"]
    org_id, worker = await company(db, test_settings, town)
    other_org, _ = await company(db, test_settings, town, "另一家物业")
    ids = {}
    for key, assignee in (("ours", org_id), ("theirs", other_org)):
        made = await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(), json={
            "title": key, "assignee": {"type": "organization", "id": assignee}})
        assert made.status_code == 201, made.text
        ids[key] = made.json()["id"]
    listed = (await client.get(f"/v1/buildings/{town.building}/tasks", headers=worker.headers())).json()["data"]
    assert [t["id"] for t in listed] == [ids["ours"]]
    assert (await client.get(f"/v1/tasks/{ids['theirs']}", headers=worker.headers())).status_code == 404
    assert (await client.get(f"/v1/tasks/{ids['ours']}", headers=worker.headers())).status_code == 200
    assert (await client.get(f"/v1/buildings/{town.building}/tasks", headers=far.headers())).status_code == 404
    assert (await client.get(f"/v1/tasks/{ids['ours']}", headers=far.headers())).status_code == 404
    assert (await client.get("/v1/me/tasks", headers=far.headers())).json()["data"] == []
    both = (await client.get(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(),
                             params={"assignee": other_org})).json()["data"]
    assert [t["id"] for t in both] == [ids["theirs"]]


async def test_two_verifiers_at_once_leave_one_result_and_one_event(client, db, town):
    leader, staff, tenant = town.people["leader"], town.people["staff"], town.people["tenant"]
    created = await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(), json={
        "title": "修门禁", "assignee": {"type": "person", "id": tenant.person_id}, "points": 5})
    task_id = created.json()["id"]
    await move(client, tenant, task_id, "in_progress")
    await move(client, tenant, task_id, "done")
    answers = await asyncio.gather(move(client, leader, task_id, "verified"), move(client, staff, task_id, "verified"))
    assert sorted(a.status_code for a in answers) == [200, 409]
    verified = await db.fetch("SELECT data FROM events WHERE subject_id = $1 AND type = 'task.status_changed' "
                              "AND data->>'to' = 'verified'", task_id)
    assert len(verified) == 1
    assert await db.fetchval("SELECT count(*) FROM ledger_transfers WHERE source_id = $1", task_id) == 1


async def test_dispatch_needs_the_scope_and_reaches_every_building(client, db, town, platform, database_url):
    sent = await client.post(f"/v1/communities/{town.community}/tasks", headers=platform.headers(),
                             json={"title": "消防检查", "due_at": "2099-01-01T00:00:00Z"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["count"] == 2  # the community's two buildings
    staff = town.people["staff"]
    assert (await client.post("/v1/streets/tasks", headers=staff.headers(), json={"title": "x"})).status_code == 403
    street = await client.post("/v1/streets/tasks", headers=town.people["officer"].headers(),
                               json={"title": "垃圾分类", "building_ids": [town.far_building]})
    assert street.status_code == 201 and street.json()["count"] == 1
    far = town.people["far_resident"]
    listed = (await client.get(f"/v1/buildings/{town.far_building}/tasks", headers=far.headers(),
                               params={"source": "dispatch"})).json()["data"]
    assert [t["id"] for t in listed] == street.json()["task_ids"]
    reader = await sign_in(client, await new_street_client(
        database_url, scopes=frozenset({"street:read", "street:write"})))
    refused = await client.post("/v1/streets/tasks", headers=reader.headers(), json={"title": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "insufficient_scope"


async def test_verifying_a_proposals_last_task_moves_it_to_evaluation(client, db, town):
    head, leader, tenant = town.people["head"], town.people["leader"], town.people["tenant"]
    raised = await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                               json={"title": "楼道加装扶手"})
    proposal = raised.json()["id"]
    await db.execute("UPDATE proposals SET stage = 'implementing' WHERE id = $1", proposal)  # voted and adopted
    ids = []
    for title in ("采购扶手", "安装扶手", "作废"):
        made = await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(), json={
            "title": title, "source": "proposal", "source_id": proposal,
            "assignee": {"type": "person", "id": tenant.person_id}})
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    assert (await move(client, leader, ids[2], "cancelled", reason="重复")).status_code == 200
    for task_id in ids[:2]:
        for person, to in ((tenant, "in_progress"), (tenant, "done"), (leader, "verified")):
            assert (await move(client, person, task_id, to)).status_code == 200
        stage = await db.fetchval("SELECT stage FROM proposals WHERE id = $1", proposal)
        assert stage == ("implementing" if task_id == ids[0] else "evaluating")
    wrong = await client.post(f"/v1/buildings/{town.neighbour_building}/tasks", headers=town.people["staff"].headers(),
                              json={"title": "x", "source": "proposal", "source_id": proposal})
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_source"


async def test_reports_are_triaged_and_bad_input_is_refused(client, db, town):
    head, tenant, leader = town.people["head"], town.people["tenant"], town.people["leader"]
    first = (await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(),
                               json={"category": "parking", "description": "消防通道停车"})).json()
    second = (await client.post(f"/v1/buildings/{town.building}/reports", headers=tenant.headers(),
                                json={"category": "parking", "description": "通道被占"})).json()
    assert [e for e in await events_of(db, first["id"])] == ["report.created"]  # not urgent: no alarm
    own = (await client.get(f"/v1/buildings/{town.building}/reports", headers=tenant.headers())).json()["data"]
    assert [r["id"] for r in own] == [second["id"]]  # residents see their own reports
    every = (await client.get(f"/v1/buildings/{town.building}/reports", headers=leader.headers(),
                              params={"category": "parking", "limit": 1})).json()
    assert len(every["data"]) == 1 and every["next_cursor"]
    assert (await client.get(f"/v1/reports/{first['id']}", headers=tenant.headers())).status_code == 404
    url = f"/v1/reports/{second['id']}/transitions"
    assert (await client.post(url, headers=tenant.headers(), json={"to": "acknowledged"})).status_code == 403
    no_ref = await client.post(url, headers=leader.headers(), json={"to": "duplicate"})
    assert no_ref.json()["code"] == "duplicate_of_required"
    dup = await client.post(url, headers=leader.headers(), json={"to": "duplicate", "duplicate_of": first["id"]})
    assert dup.status_code == 200 and dup.json()["duplicate_of"] == first["id"] and dup.json()["status"] == "duplicate"
    assert (await client.post(f"/v1/reports/{second['id']}/tasks", headers=leader.headers(),
                              json={})).json()["code"] == "wrong_report_status"
    rejected = await client.post(f"/v1/reports/{first['id']}/transitions", headers=leader.headers(),
                                 json={"to": "rejected"})
    assert rejected.json()["code"] == "transition_reason_required"
    naive = await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(),
                              json={"title": "x", "due_at": "2099-01-01T00:00:00"})
    assert naive.status_code == 400
    nobody = await client.post(f"/v1/buildings/{town.building}/tasks", headers=leader.headers(),
                               json={"title": "x", "assignee": {"type": "organization", "id": "org_0000000000000000"}})
    assert nobody.status_code == 422 and nobody.json()["code"] == "invalid_assignee"
    resident = await client.post(f"/v1/buildings/{town.building}/tasks", headers=head.headers(), json={"title": "x"})
    assert resident.status_code == 403
