"""最美楼栋 campaigns by HTTP (the community spec §12): a campaign's journey with the test clock
through every phase — nominations, a self-assessment whose issue becomes a rectification task,
raters and their sheets, a tie broken by rater count, publishing with prizes credited once —
and, for every kind of caller, no route that shows one rater's scores to anyone else."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.api.test_demo import demo_clients_retired_afterwards, load_everything  # noqa: F401 (a fixture)
from tests.support.campaigns import new_campaign, next_day, status_of, today
from tests.support.clock import clock  # noqa: F401 (a fixture)
from tests.support.due_jobs import run_due_jobs_of
from tests.support.points import assert_balances_are_sums
from tests.support.tasks import company
from tests.support.town import build_town
from usecases.campaigns_jobs import ADVANCE_JOB
from usecases.demo_campaigns import TITLE

@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


SHEETS = {  # rater → building → sheet: equal means (8 each), so the buildings tie on 8.00
    "staff": {"a": {"environment": 8, "self_governance": 8, "civility": 8, "neighbourliness": 8},
              "b": {"environment": 10, "self_governance": 6, "civility": 8, "neighbourliness": 8}},
    "member": {"a": {"environment": 9, "self_governance": 7, "civility": 8, "neighbourliness": 8},
               "b": {"environment": 6, "self_governance": 10, "civility": 8, "neighbourliness": 8}},
    "neighbour": {"a": {"environment": 7, "self_governance": 9, "civility": 8, "neighbourliness": 8}},
}


@pytest.mark.xdist_group("clock")
@pytest.mark.usefixtures("clock")
async def test_a_campaign_walks_through_every_phase_to_its_prizes(client, db, town, test_settings):
    staff, leader, head, officer = (town.people[k] for k in ("staff", "leader", "head", "officer"))
    _, member = await company(db, test_settings, town, name="共建单位")
    town.people["member"] = member
    assert (await client.post(f"/v1/communities/{town.community}/campaigns", headers=head.headers(), json={
        "title": "x", "nominate_until": "2099-01-01", "assess_until": "2099-01-02", "rate_until": "2099-01-03",
        "winners": 1})).status_code == 403
    day = await today(db)
    backwards = await client.post(f"/v1/communities/{town.community}/campaigns", headers=staff.headers(), json={
        "title": "x", "nominate_until": (day + timedelta(days=3)).isoformat(),
        "assess_until": (day + timedelta(days=2)).isoformat(), "rate_until": (day + timedelta(days=4)).isoformat(),
        "winners": 1})
    assert backwards.status_code == 422 and backwards.json()["code"] == "invalid_campaign_dates"
    campaign = await new_campaign(client, db, town, prize_points=20)
    url = f"/v1/campaigns/{campaign['id']}"
    assert campaign["status"] == "nominating" and campaign["community_id"] == town.community
    assert [(c["key"], c["label"], c["weight"]) for c in campaign["criteria"]] == [
        ("environment", "环境美", 1), ("self_governance", "自治美", 1), ("civility", "文明美", 1),
        ("neighbourliness", "邻里美", 1)]
    listed = (await client.get(f"/v1/communities/{town.community}/campaigns", headers=head.headers())).json()
    assert [c["id"] for c in listed["data"]] == [campaign["id"]]
    assert (await client.get(url, headers=town.people["far_resident"].headers())).status_code == 404

    # Nominating: the building's leader (or above), buildings of the community, once each.
    assert (await client.post(f"{url}/nominations", headers=head.headers(),
                              json={"building_id": town.building})).status_code == 403
    nominated = await client.post(f"{url}/nominations", headers=leader.headers(), json={"building_id": town.building})
    assert nominated.status_code == 201, nominated.text
    again = await client.post(f"{url}/nominations", headers=staff.headers(), json={"building_id": town.building})
    assert again.status_code == 409 and again.json()["code"] == "already_nominated"
    far = await client.post(f"{url}/nominations", headers=officer.headers(), json={"building_id": town.far_building})
    assert far.status_code == 422 and far.json()["code"] == "building_not_in_scope"
    assert (await client.post(f"{url}/nominations", headers=staff.headers(),
                              json={"building_id": town.neighbour_building})).status_code == 201
    early = await client.put(f"{url}/nominations/{town.building}/assessment", headers=leader.headers(),
                             json={"criteria": []})
    assert early.status_code == 409 and early.json()["code"] == "phase_closed"

    # Raters: staff, a partner organisation's member, a resident representative; not anyone.
    for key, kind in (("staff", "staff"), ("member", "organization"), ("neighbour", "resident")):
        added = await client.post(f"{url}/raters", headers=staff.headers(),
                                  json={"person_id": town.people[key].person_id})
        assert added.status_code == 201 and added.json()["kind"] == kind, added.text
    for key in ("far_staff", "stranger"):
        refused = await client.post(f"{url}/raters", headers=staff.headers(),
                                    json={"person_id": town.people[key].person_id})
        assert refused.status_code == 422 and refused.json()["code"] == "rater_not_eligible"
    twice = await client.post(f"{url}/raters", headers=staff.headers(), json={"person_id": member.person_id})
    assert twice.status_code == 409 and twice.json()["code"] == "already_rater"
    assert (await client.post(f"{url}/raters", headers=leader.headers(),
                              json={"person_id": head.person_id})).status_code == 403

    # Assessing: the self-assessment, and an issue turned into a rectification task.
    await next_day(client, db)
    assert await status_of(client, town, campaign) == "nominating"  # until the service moves it
    late = await client.post(f"{url}/nominations", headers=staff.headers(), json={"building_id": town.building})
    assert late.status_code == 409 and late.json()["code"] == "phase_closed"  # but the date closed it already
    assert await run_due_jobs_of(db, [ADVANCE_JOB]) >= 1
    assert await status_of(client, town, campaign) == "assessing"
    assessed = await client.put(f"{url}/nominations/{town.building}/assessment", headers=leader.headers(), json={
        "criteria": [{"key": "environment", "text": "楼道整洁，绿植轮流养护", "issues": [{"text": "3 楼楼道堆放杂物"}]},
                     {"key": "civility", "text": "文明养犬公约上墙"}]})
    assert assessed.status_code == 200, assessed.text
    issue = assessed.json()["issues"][0]
    assert issue["criterion_key"] == "environment" and issue["task_id"] is None
    assert [c["key"] for c in assessed.json()["criteria"]] == ["civility", "environment"]
    unknown = await client.put(f"{url}/nominations/{town.building}/assessment", headers=leader.headers(),
                               json={"criteria": [{"key": "beauty", "text": "x"}]})
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_criteria"
    tasked = await client.post(f"{url}/nominations/{town.building}/issues/{issue['id']}/task",
                               headers=leader.headers(), json={"priority": "high"})
    assert tasked.status_code == 201, tasked.text
    task = tasked.json()
    assert (task["source"], task["source_id"], task["building_id"]) == ("campaign", campaign["id"], town.building)
    assert task["title"] == "【环境美整改】3 楼楼道堆放杂物" and task["priority"] == "high"
    listed_tasks = (await client.get(f"/v1/buildings/{town.building}/tasks?source=campaign",
                                     headers=leader.headers())).json()["data"]
    assert [t["id"] for t in listed_tasks] == [task["id"]]
    twice = await client.post(f"{url}/nominations/{town.building}/issues/{issue['id']}/task",
                              headers=leader.headers(), json={})
    assert twice.status_code == 409 and twice.json()["code"] == "issue_has_task"
    read = (await client.get(f"{url}/nominations/{town.building}/assessment", headers=member.headers())).json()
    assert read["issues"][0]["task_id"] == task["id"]
    replaced = await client.put(f"{url}/nominations/{town.building}/assessment", headers=leader.headers(), json={
        "criteria": [{"key": "civility", "text": "文明养犬公约上墙", "issues": [{"text": "电动车楼道充电"}]}]})
    assert [c["key"] for c in replaced.json()["criteria"]] == ["civility"]  # the body is the whole assessment
    assert [(i["text"], i["task_id"]) for i in replaced.json()["issues"]] == [
        ("3 楼楼道堆放杂物", task["id"]), ("电动车楼道充电", None)]  # an issue with a task stays
    too_soon = await client.put(f"{url}/scores/{town.building}", headers=staff.headers(), json={"scores": SHEETS["staff"]["a"]})
    assert too_soon.status_code == 409 and too_soon.json()["code"] == "phase_closed"

    # Rating: every rater scores; one may not rate their own building; sheets change until rate_until.
    await next_day(client, db)
    await run_due_jobs_of(db, [ADVANCE_JOB])
    assert await status_of(client, town, campaign) == "rating"
    building = {"a": town.building, "b": town.neighbour_building}
    first = await client.put(f"{url}/scores/{building['b']}", headers=staff.headers(), json={"scores": {
        "environment": 1, "self_governance": 1, "civility": 1, "neighbourliness": 1}})
    assert first.status_code == 200, first.text
    for rater, sheets in SHEETS.items():
        for which, sheet in sheets.items():
            put = await client.put(f"{url}/scores/{building[which]}", headers=town.people[rater].headers(),
                                   json={"scores": sheet})
            assert put.status_code == 200, put.text
    own = await client.put(f"{url}/scores/{building['b']}", headers=town.people["neighbour"].headers(),
                           json={"scores": SHEETS["neighbour"]["a"]})
    assert own.status_code == 422 and own.json()["code"] == "rater_conflict"
    missing = await client.put(f"{url}/scores/{building['a']}", headers=staff.headers(),
                               json={"scores": {"environment": 8}})
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_scores"
    too_high = await client.put(f"{url}/scores/{building['a']}", headers=staff.headers(), json={"scores": {
        **SHEETS["staff"]["a"], "civility": 11}})
    assert too_high.status_code == 400
    not_rater = await client.put(f"{url}/scores/{building['a']}", headers=head.headers(),
                                 json={"scores": SHEETS["staff"]["a"]})
    assert not_rater.status_code == 403 and not_rater.json()["code"] == "not_a_rater"
    mine = await client.get(f"{url}/scores/{building['b']}", headers=staff.headers())
    assert mine.json()["scores"] == SHEETS["staff"]["b"]  # the second sheet replaced the first
    pending = await client.get(f"{url}/results", headers=staff.headers())
    assert pending.status_code == 409 and pending.json()["code"] == "results_not_published"

    # Published: the tie on 8.00 goes to the building with more raters; its heads get the prize once.
    await next_day(client, db)
    closed = await client.put(f"{url}/scores/{building['a']}", headers=staff.headers(),
                              json={"scores": SHEETS["staff"]["a"]})
    assert closed.status_code == 409 and closed.json()["code"] == "phase_closed"  # before the job, by the date
    await run_due_jobs_of(db, [ADVANCE_JOB])
    published = (await client.get(url, headers=head.headers())).json()
    assert published["status"] == "published" and published["published_at"]
    results = (await client.get(f"{url}/results", headers=head.headers())).json()
    assert [(r["building_id"], r["score"], r["raters"], r["rank"], r["winner"]) for r in results["buildings"]] == [
        (building["a"], "8.00", 3, 1, True), (building["b"], "8.00", 2, 2, False)]
    assert all(m["mean"] == "8.00" for m in results["buildings"][0]["criteria"])
    await next_day(client, db)
    await run_due_jobs_of(db, [ADVANCE_JOB])  # nothing moves twice, nothing credits twice
    transfers = (await client.get("/v1/me/points/transfers", headers=head.headers())).json()["data"]
    assert [(t["delta"], t["reason"]) for t in transfers] == [(20, "campaign_prize")]
    for other in ("tenant", "neighbour"):
        assert (await client.get("/v1/me/points", headers=town.people[other].headers())).json()["balance"] == 0
    changed = await client.patch(url, headers=staff.headers(), json={"title": "改名"})
    assert changed.status_code == 409 and changed.json()["code"] == "phase_closed"
    types = [r["type"] for r in await db.fetch(
        "SELECT type FROM events WHERE subject_id = $1 ORDER BY seq", campaign["id"])]
    assert types[0] == "campaign.created" and types[-1] == "campaign.published"
    assert [t for t in types if t == "campaign.phase_changed"] == ["campaign.phase_changed"] * 3
    for kind in ("campaign.nominated", "campaign.assessed", "campaign.rectification_created",
                 "campaign.rater_added", "campaign.scored"):
        assert kind in types
    await assert_balances_are_sums(db, town.street_id)


async def test_street_campaigns_and_changes_keep_the_phase(client, db, town, platform):
    day = await today(db)
    body = {"title": "菊园新区最美楼栋", "winners": 3, "nominate_until": (day + timedelta(days=1)).isoformat(),
            "assess_until": (day + timedelta(days=5)).isoformat(), "rate_until": (day + timedelta(days=9)).isoformat(),
            "criteria": [{"key": "environment", "label": "环境美", "weight": 2}, {"key": "civility", "label": "文明美"}]}
    assert (await client.post("/v1/streets/campaigns", headers=town.people["staff"].headers(),
                               json=body)).status_code == 403
    created = await client.post("/v1/streets/campaigns", headers=platform.headers(), json=body)
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["community_id"] is None and campaign["criteria"][1]["weight"] == 1
    listed = (await client.get("/v1/streets/campaigns", headers=town.people["far_resident"].headers())).json()
    assert [c["id"] for c in listed["data"]] == [campaign["id"]]
    url = f"/v1/campaigns/{campaign['id']}"
    far = await client.post(f"{url}/nominations", headers=town.people["officer"].headers(),
                            json={"building_id": town.far_building})
    assert far.status_code == 201  # a street's campaign takes every building of the street
    read = await client.get(url, headers=town.people["officer"].headers())
    stale = await client.patch(url, headers=town.people["officer"].headers(**{"If-Match": '"x"'}), json={"winners": 1})
    assert stale.status_code == 412
    past = await client.patch(url, headers=town.people["officer"].headers(**{"If-Match": read.headers["etag"]}),
                              json={"nominate_until": (day - timedelta(days=1)).isoformat()})
    assert past.status_code == 422 and past.json()["code"] == "invalid_campaign_dates"
    changed = await client.patch(url, headers=town.people["officer"].headers(), json={
        "winners": 2, "rate_until": (day + timedelta(days=12)).isoformat(),
        "criteria": [{"key": "environment", "label": "环境美", "weight": 3}]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["winners"] == 2 and changed.json()["criteria"] == [
        {"key": "environment", "label": "环境美", "weight": 3}]
    duplicate = await client.patch(url, headers=town.people["officer"].headers(), json={
        "criteria": [{"key": "a", "label": "甲"}, {"key": "a", "label": "乙"}]})
    assert duplicate.status_code == 422 and duplicate.json()["code"] == "invalid_criteria"


async def test_a_building_is_nominated_once_however_many_ask_at_once(client, db, town):
    campaign = await new_campaign(client, db, town)
    answers = await asyncio.gather(*(
        client.post(f"/v1/campaigns/{campaign['id']}/nominations", headers=town.people[who].headers(),
                    json={"building_id": town.building}) for who in ("leader", "staff", "officer") * 3))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 8
    assert await db.fetchval("SELECT count(*) FROM campaign_nominations WHERE campaign_id = $1", campaign["id"]) == 1


@pytest.mark.xdist_group("clock")
@pytest.mark.usefixtures("clock")
async def test_erasure_removes_the_self_assessment_text_its_author_wrote(client, db, town):
    campaign = await new_campaign(client, db, town)
    url = f"/v1/campaigns/{campaign['id']}"
    leader = town.people["leader"]
    assert (await client.post(f"{url}/nominations", headers=leader.headers(),
                              json={"building_id": town.building})).status_code == 201
    await next_day(client, db)
    await run_due_jobs_of(db, [ADVANCE_JOB])
    put = await client.put(f"{url}/nominations/{town.building}/assessment", headers=leader.headers(), json={
        "criteria": [{"key": "neighbourliness", "text": "钱楼长组织了邻里节", "issues": [{"text": "402 与 502 噪音纠纷"}]}]})
    assert put.status_code == 200, put.text
    issue_id = put.json()["issues"][0]["id"]
    kept = await client.put(f"{url}/nominations/{town.building}/assessment", headers=leader.headers(), json={
        "criteria": [{"key": "neighbourliness", "text": "钱楼长组织了邻里节",
                      "issues": [{"id": issue_id, "text": "402 与 502 噪音纠纷（已调解）"}]}]})
    assert [(i["id"], i["text"]) for i in kept.json()["issues"]] == [(issue_id, "402 与 502 噪音纠纷（已调解）")]
    bad = await client.put(f"{url}/nominations/{town.building}/assessment", headers=leader.headers(), json={
        "criteria": [{"key": "neighbourliness", "issues": [{"id": "cis_0000000000000000", "text": "x"}]}]})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_issue"
    assert (await client.delete("/v1/me", headers=leader.headers())).status_code == 204
    read = (await client.get(f"{url}/nominations/{town.building}/assessment",
                             headers=town.people["staff"].headers())).json()
    assert read["criteria"][0]["text"] == "[已删除]" and read["issues"][0]["text"] == "[已删除]"


@pytest.mark.usefixtures("demo_clients_retired_afterwards")
async def test_the_demo_has_a_campaign_in_rating(client, db, test_settings):
    await load_everything(db, test_settings)
    await load_everything(db, test_settings)  # a second run adds nothing
    found = await db.fetch("SELECT id, status FROM campaigns WHERE title = $1", TITLE)
    assert [r["status"] for r in found] == ["rating"]
    campaign_id = found[0]["id"]
    assert await db.fetchval("SELECT count(*) FROM campaign_nominations WHERE campaign_id = $1", campaign_id) == 2
    assert await db.fetchval("SELECT count(*) FROM tasks WHERE source = 'campaign' AND source_id = $1",
                             campaign_id) == 1
    assert await db.fetchval("SELECT count(*) FROM campaign_scores WHERE campaign_id = $1", campaign_id) == 1
