"""One proposal through every stage by HTTP, as residents and a leader (resources.md §2),
with the deadlines acted on by the worker's job runner under the test clock."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.proposals import run_due_jobs, stamp
from tests.support.town import build_town

pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def events_of(db, proposal_id: str, type: str) -> list:
    return await db.fetch("SELECT data FROM events WHERE subject_id = $1 AND type = $2 ORDER BY seq",
                          proposal_id, type)


async def test_a_proposal_walks_through_every_stage(client, db, town):
    head, tenant, leader = town.people["head"], town.people["tenant"], town.people["leader"]
    created = await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                                json={"title": "楼道加装照明", "description": "夜间太暗", "category": "facilities"})
    assert created.status_code == 201, created.text
    proposal = created.json()
    pid, url = proposal["id"], f"/v1/proposals/{proposal['id']}"
    assert proposal["stage"] == "collecting" and proposal["support"]["threshold"] == 3
    assert proposal["authored_by_me"] and pid.startswith("prp_")

    edited = await client.patch(url, headers=head.headers(**{"If-Match": created.headers["etag"]}),
                                json={"title": "楼道加装感应灯"})
    assert edited.status_code == 200 and edited.json()["title"] == "楼道加装感应灯"
    assert (await client.patch(url, headers=tenant.headers(), json={"title": "x"})).status_code == 403
    option = (await client.post(f"{url}/options", headers=head.headers(), json={"title": "安装感应灯"})).json()

    # 议题征集: three households support; the third crosses the threshold.
    assert (await client.post(f"{url}/supports", headers=head.headers(), json={})).json()["stage"] == "collecting"
    again = await client.post(f"{url}/supports", headers=head.headers(), json={})
    assert again.status_code == 409 and again.json()["code"] == "already_supported"
    assert (await client.post(f"{url}/supports", headers=tenant.headers(), json={})).json()["support"]["count"] == 2
    crossed = await client.post(f"{url}/supports", headers=leader.headers(), json={})
    assert crossed.json()["stage"] == "deliberating" and crossed.json()["deliberating_at"]
    late = await client.patch(url, headers=head.headers(), json={"title": "改"})
    assert late.status_code == 409 and late.json()["code"] == "wrong_stage"

    # 方案论证: a threaded discussion; a leader hides a comment with a reason.
    comment = (await client.post(f"{url}/comments", headers=tenant.headers(), json={"body": "同意👍"})).json()
    reply = await client.post(f"{url}/comments", headers=head.headers(),
                              json={"body": "谢谢", "parent_id": comment["id"]})
    assert reply.status_code == 201 and reply.json()["parent_id"] == comment["id"]
    assert (await client.post(f"/v1/comments/{comment['id']}/hide", headers=tenant.headers(),
                              json={"reason": "x"})).status_code == 403
    hidden = await client.post(f"/v1/comments/{comment['id']}/hide", headers=leader.headers(), json={"reason": "广告"})
    assert hidden.json()["hidden"] and hidden.json()["body"] is None and hidden.json()["hidden_reason"] == "广告"

    # Opening the vote: a stale If-Match is 412; the leader opens it.
    now = await business_now(db)
    open_vote = {"to": "voting", "ballot": {"closes_at": stamp(now + timedelta(hours=25)),
                                            "rule": "simple_majority"}}
    stale = await client.post(f"{url}/transitions", headers=leader.headers(**{"If-Match": created.headers["etag"]}),
                              json=open_vote)
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    assert (await client.post(f"{url}/transitions", headers=head.headers(), json=open_vote)).status_code == 403
    current = await client.get(url, headers=leader.headers())
    voting = await client.post(f"{url}/transitions", headers=leader.headers(**{"If-Match": current.headers["etag"]}),
                               json=open_vote)
    assert voting.status_code == 200, voting.text
    assert voting.json()["stage"] == "voting" and voting.json()["vote"]["rule"] == "simple_majority"

    # 决策: households vote; a tenant does not cast the household's ballot; a ballot can change.
    assert (await client.put(f"{url}/ballot", headers=head.headers(), json={"choice": "yes"})).status_code == 200
    refused = await client.put(f"{url}/ballot", headers=tenant.headers(), json={"choice": "no"})
    assert refused.status_code == 422 and refused.json()["code"] == "household_not_eligible"
    first = (await client.put(f"{url}/ballot", headers=leader.headers(), json={"choice": "no"})).json()
    changed = (await client.put(f"{url}/ballot", headers=leader.headers(), json={"choice": "yes"})).json()
    assert (first["version"], changed["version"]) == (1, 2) and changed["choice"] == "yes"
    assert await db.fetchval("SELECT count(*) FROM ballot_history WHERE vote_id = (SELECT id FROM votes WHERE subject_type = 'proposal' AND subject_id = $1)", pid) == 3
    bad = await client.put(f"{url}/ballot", headers=head.headers(), json={"option_ids": [option["id"]]})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_ballot"
    during = (await client.get(f"{url}/result", headers=tenant.headers())).json()
    assert during["status"] == "open" and during["turnout"] == {"ballots": 2, "eligible_households": 3}
    assert during["options"] is None and during["receipts"] is None  # turnout, never counts, while open
    early = await client.post(f"{url}/transitions", headers=leader.headers(), json={"to": "closed", "outcome": "adopted"})
    assert early.status_code == 409 and early.json()["code"] == "wrong_stage"  # never closed early

    # closes_at passes: the worker's job tallies it, no request needed.
    await client.post("/v1/test-clock", json={"advance_seconds": 25 * 3600})
    assert await run_due_jobs(db) >= 1
    after = await client.put(f"{url}/ballot", headers=head.headers(), json={"choice": "no"})
    assert after.status_code == 409 and after.json()["code"] == "vote_closed"
    decided = (await client.get(url, headers=tenant.headers())).json()
    assert decided["stage"] == "implementing" and decided["decision"]["outcome"] == "adopted"
    result = (await client.get(f"{url}/result", headers=tenant.headers())).json()
    assert result["status"] == "closed" and result["choices"] == {"yes": 2, "no": 0, "abstain": 0}
    assert result["options"][0]["approvals"] == 2 and result["options"][0]["approval_area_m2"] == "160.00"
    assert result["participating"] == {"households": 2, "area_m2": "160.00"} and result["quorum_met"]
    assert changed["receipt"] in {r["receipt"] for r in result["receipts"]}
    assert changed["receipt"] == hashlib.sha256(f"bilin-ballot\n{pid}\nyes\n{changed['nonce']}".encode()).hexdigest()

    # 实施 → 结果评估 (no tasks yet: the leader moves it), households rate once, then closed.
    evaluating = (await client.post(f"{url}/transitions", headers=leader.headers(), json={"to": "evaluating"})).json()
    assert evaluating["stage"] == "evaluating" and evaluating["evaluation"]["until"]
    assert (await client.post(f"{url}/evaluations", headers=head.headers(), json={"stars": 5})).status_code == 201
    rated = await client.post(f"{url}/evaluations", headers=tenant.headers(), json={"stars": 4, "text": "不错"})
    assert rated.json()["evaluation"] == {"until": evaluating["evaluation"]["until"], "count": 2, "mean": "4.50"}
    twice = await client.post(f"{url}/evaluations", headers=head.headers(), json={"stars": 1})
    assert twice.status_code == 409 and twice.json()["code"] == "already_evaluated"
    closed = (await client.post(f"{url}/transitions", headers=leader.headers(), json={"to": "closed"})).json()
    assert (closed["stage"], closed["outcome"]) == ("closed", "adopted")

    timeline = (await client.get(f"{url}/timeline", headers=tenant.headers())).json()["data"]
    assert [e["to_stage"] for e in reversed(timeline)] == [
        "collecting", "deliberating", "voting", "implementing", "evaluating", "closed"]
    assert timeline[-2]["by"] == {"type": "system", "id": None}  # the threshold moved it
    assert len(await events_of(db, pid, "proposal.stage_changed")) == 5
    assert len(await events_of(db, pid, "proposal.decided")) == 1
    casts = await db.fetch("SELECT data FROM events WHERE type = 'ballot.cast' AND data->>'proposal_id' = $1", pid)
    assert len(casts) == 3 and all("choice" not in e["data"] for e in casts)


async def test_collection_deadline_closes_without_support(client, db, town):
    head = town.people["head"]
    proposal = (await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                                  json={"title": "养宠公约"})).json()
    await client.post("/v1/test-clock", json={"advance_seconds": 13 * 86400})
    await run_due_jobs(db)
    assert (await client.get(f"/v1/proposals/{proposal['id']}", headers=head.headers())).json()["stage"] == "collecting"
    await client.post("/v1/test-clock", json={"advance_seconds": 86400})
    await run_due_jobs(db)
    closed = (await client.get(f"/v1/proposals/{proposal['id']}", headers=head.headers())).json()
    assert (closed["stage"], closed["outcome"]) == ("closed", "insufficient_support")
    late = await client.post(f"/v1/proposals/{proposal['id']}/supports", headers=head.headers(), json={})
    assert late.status_code == 409 and late.json()["code"] == "wrong_stage"


async def test_authors_withdraw_and_leaders_dismiss_or_mark_duplicates(client, db, town):
    head, leader = town.people["head"], town.people["leader"]

    async def raise_one(title: str) -> str:
        return (await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                                  json={"title": title})).json()["id"]
    first, second, third = await raise_one("一"), await raise_one("二"), await raise_one("三")
    withdrawn = await client.post(f"/v1/proposals/{first}/transitions", headers=head.headers(),
                                  json={"to": "closed", "outcome": "withdrawn"})
    assert withdrawn.json()["outcome"] == "withdrawn"
    no_reason = await client.post(f"/v1/proposals/{second}/transitions", headers=leader.headers(),
                                  json={"to": "closed", "outcome": "dismissed"})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    duplicate = await client.post(f"/v1/proposals/{third}/transitions", headers=leader.headers(),
                                  json={"to": "closed", "outcome": "duplicate", "duplicate_of": second})
    assert duplicate.json()["duplicate_of"] == second
    again = await client.post(f"/v1/proposals/{first}/transitions", headers=head.headers(),
                              json={"to": "closed", "outcome": "withdrawn"})
    assert again.status_code == 409 and again.json()["code"] == "wrong_stage"
    not_open = await client.put(f"/v1/proposals/{second}/ballot", headers=head.headers(), json={"choice": "yes"})
    assert not_open.status_code == 409 and not_open.json()["code"] == "vote_not_open"
    outsider = await client.get(f"/v1/proposals/{second}", headers=town.people["far_resident"].headers())
    assert outsider.status_code == 404
    mine = (await client.get(f"/v1/buildings/{town.building}/proposals?author=me&stage=collecting",
                             headers=head.headers())).json()["data"]
    assert [p["id"] for p in mine] == [second]
