"""A building's convention and rules of procedure, changed only by an amendment adopted by vote
(the community spec §11), over HTTP with the test clock and the worker's job runner."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.support.clock import business_now, clock  # noqa: F401 - the fixture
from tests.support.proposals import run_due_jobs, stamp
from tests.support.town import build_town

pytestmark = [pytest.mark.xdist_group("clock"), pytest.mark.usefixtures("clock")]

RULES_TEXT = "第一条 议题须有本楼三分之一住户附议。\n第二条 表决按民法典第二百七十八条进行。\n第三条 本规则经表决通过后生效。"
CONVENTION = "一、爱护楼道环境，不堆放杂物。\n二、文明养犬，及时清理。\n三、邻里互助，守望相助。"


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def raise_amendment(client, town, amendment: dict, *, options: int = 1) -> dict:
    head = town.people["head"]
    created = await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                                json={"title": "修订文件", "kind": "document_amendment", "amendment": amendment})
    assert created.status_code == 201, created.text
    for i in range(options):
        added = await client.post(f"/v1/proposals/{created.json()['id']}/options", headers=head.headers(),
                                  json={"title": f"通过修订 {i + 1}"})
        assert added.status_code == 201, added.text
    moved = await client.post(f"/v1/proposals/{created.json()['id']}/transitions",
                              headers=town.people["leader"].headers(), json={"to": "deliberating"})
    assert moved.status_code == 200, moved.text
    return moved.json()


async def open_vote(client, db, town, proposal_id: str, rule: str = "civil_code_ordinary"):
    now = await business_now(db)
    return await client.post(f"/v1/proposals/{proposal_id}/transitions", headers=town.people["leader"].headers(),
                             json={"to": "voting", "ballot": {"closes_at": stamp(now + timedelta(hours=25)),
                                                              "rule": rule}})


async def vote(client, town, proposal_id: str, choice: str) -> None:
    for who in ("head", "leader"):
        cast = await client.put(f"/v1/proposals/{proposal_id}/ballot", headers=town.people[who].headers(),
                                json={"choice": choice})
        assert cast.status_code == 200, cast.text


async def rules_of(client, town) -> dict:
    return (await client.get(f"/v1/buildings/{town.building}", headers=town.people["leader"].headers())).json()["rules"]


async def test_rules_of_procedure_change_by_vote_exactly_at_the_decision(client, db, town):
    head, leader, officer = town.people["head"], town.people["leader"], town.people["officer"]
    docs = f"/v1/buildings/{town.building}/documents/rules_of_procedure"
    none = await client.get(docs, headers=head.headers())
    assert none.status_code == 404 and none.json()["code"] == "document_not_in_force"
    assert (await client.get(f"{docs}/versions", headers=head.headers())).json() == {"data": [], "next_cursor": None}
    assert (await client.get(docs, headers=town.people["far_resident"].headers())).json()["code"] == "not_found"
    unknown = await client.get(f"/v1/buildings/{town.building}/documents/bylaws", headers=head.headers())
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "path.kind"

    # An ordinary proposal raised under the old rules (threshold 3) before the amendment.
    older = (await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                               json={"title": "楼道加装照明"})).json()
    assert older["kind"] == "general" and older["amendment"] is None and older["support"]["threshold"] == 3

    proposal = await raise_amendment(client, town, {
        "document": "rules_of_procedure", "base_number": 0, "text": RULES_TEXT,
        "parameters": {"support_min_households": 2, "default_decision_rule": "civil_code_ordinary"}})
    pid = proposal["id"]
    assert proposal["kind"] == "document_amendment" and proposal["stage"] == "deliberating"
    assert proposal["amendment"]["parameters"] == {  # completed from the building's rules
        "support_min_households": 2, "support_percent": 10, "collect_days": 14,
        "default_decision_rule": "civil_code_ordinary", "vote_min_hours": 24, "evaluation_days": 7}

    # 方案论证: the diff to the version in force (none yet: every line is added).
    diff = (await client.get(f"/v1/proposals/{pid}/amendment/diff", headers=town.people["tenant"].headers())).json()
    assert (diff["number_in_force"], diff["compared_number"], diff["stale"]) == (0, 0, False)
    assert [line["kind"] for line in diff["lines"]] == ["hunk", "added", "added", "added"]
    assert diff["lines"][1] == {"kind": "added", "text": "第一条 议题须有本楼三分之一住户附议。",
                                "old_number": None, "new_number": 1}
    assert diff["unified"].startswith("--- rules_of_procedure v0\n+++ ") and "@@ -0,0 +1,3 @@" in diff["unified"]
    assert diff["parameter_changes"] == [
        {"field": "support_min_households", "before": 3, "after": 2},
        {"field": "default_decision_rule", "before": "simple_majority", "after": "civil_code_ordinary"}]
    general = await client.get(f"/v1/proposals/{older['id']}/amendment/diff", headers=head.headers())
    assert general.status_code == 404

    # Its decision rule must have a quorum.
    bare = await open_vote(client, db, town, pid, rule="simple_majority")
    assert bare.status_code == 422 and bare.json()["code"] == "amendment_quorum_required"
    opened = await open_vote(client, db, town, pid)
    assert opened.status_code == 200, opened.text
    assert opened.json()["vote"]["rule"] == "civil_code_ordinary"
    await vote(client, town, pid, "yes")

    # The vote has closed but is not tallied yet: nothing has changed.
    await client.post("/v1/test-clock", json={"advance_seconds": 25 * 3600})
    assert (await rules_of(client, town))["support_min_households"] == 3
    assert (await client.get(docs, headers=head.headers())).status_code == 404
    assert await run_due_jobs(db) >= 1

    decided = (await client.get(f"/v1/proposals/{pid}", headers=head.headers())).json()
    assert decided["decision"]["outcome"] == "adopted" and decided["stage"] == "implementing"
    in_force = await client.get(docs, headers=head.headers())
    assert in_force.status_code == 200 and in_force.headers["etag"]
    version = in_force.json()
    assert (version["number"], version["text"], version["adopted_by_proposal_id"]) == (1, RULES_TEXT, pid)
    assert version["parameters"] == proposal["amendment"]["parameters"] and version["filed_at"] is None
    assert version["adopted_at"] == decided["decision"]["decided_at"]
    assert await rules_of(client, town) == proposal["amendment"]["parameters"]
    history = (await client.get(f"{docs}/versions", headers=head.headers())).json()["data"]
    assert [v["number"] for v in history] == [1]
    adopted = await db.fetch("SELECT data FROM events WHERE type = 'document.version_adopted' AND building_id = $1",
                             town.building)
    assert [e["data"]["number"] for e in adopted] == [1]
    # Once adopted, the diff is the change it made: compared with the version it replaced.
    after = (await client.get(f"/v1/proposals/{pid}/amendment/diff", headers=head.headers())).json()
    assert (after["number_in_force"], after["compared_number"], after["stale"]) == (1, 0, False)
    assert after["parameter_changes"] == diff["parameter_changes"] and after["lines"] == diff["lines"]

    # The rules change only by vote now.
    patched = await client.patch(f"/v1/buildings/{town.building}", headers=leader.headers(),
                                 json={"rules": {"support_min_households": 5}})
    assert patched.status_code == 409 and patched.json()["code"] == "rules_governed_by_document"
    assert (await rules_of(client, town))["support_min_households"] == 2

    # A proposal keeps the rules it started under; a new one takes the new ones.
    assert (await client.get(f"/v1/proposals/{older['id']}", headers=head.headers())).json()["support"]["threshold"] == 3
    newer = (await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(),
                               json={"title": "增设快递柜"})).json()
    assert newer["support"]["threshold"] == 2
    assert await db.fetchval("SELECT support_threshold FROM proposals WHERE id = $1", older["id"]) == 3

    # 备案: by the street, once.
    filing = f"{docs}/versions/1/filing"
    assert (await client.post(filing, headers=leader.headers())).status_code == 403
    filed = await client.post(filing, headers=officer.headers())
    assert filed.status_code == 200 and filed.json()["filed_at"] and filed.json()["number"] == 1
    again = await client.post(filing, headers=officer.headers())
    assert again.status_code == 409 and again.json()["code"] == "document_already_filed"
    assert (await client.post(f"{docs}/versions/9/filing", headers=officer.headers())).status_code == 404
    huge = await client.post(f"{docs}/versions/99999999999/filing", headers=officer.headers())
    assert huge.status_code == 400 and huge.json()["errors"][0]["field"] == "path.number"
    assert len(await db.fetch("SELECT 1 FROM events WHERE type = 'document.filed' AND building_id = $1",
                              town.building)) == 1


async def test_a_rejected_amendment_changes_nothing(client, db, town):
    head = town.people["head"]
    url = f"/v1/buildings/{town.building}/proposals"
    mismatch = await client.post(url, headers=head.headers(), json={"title": "公约", "kind": "document_amendment"})
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "amendment_kind_mismatch"
    stray = await client.post(url, headers=head.headers(), json={
        "title": "公约", "amendment": {"document": "convention", "base_number": 0, "text": CONVENTION}})
    assert stray.status_code == 422 and stray.json()["code"] == "amendment_kind_mismatch"
    with_parameters = await client.post(url, headers=head.headers(), json={
        "title": "公约", "kind": "document_amendment",
        "amendment": {"document": "convention", "base_number": 0, "text": CONVENTION,
                      "parameters": {"collect_days": 7}}})
    assert with_parameters.status_code == 422 and with_parameters.json()["code"] == "amendment_parameters_not_allowed"
    out_of_range = await client.post(url, headers=head.headers(), json={
        "title": "规则", "kind": "document_amendment",
        "amendment": {"document": "rules_of_procedure", "base_number": 0, "text": RULES_TEXT,
                      "parameters": {"collect_days": 0}}})
    assert out_of_range.status_code == 400  # the same wire type as PATCH of the building's rules

    before = await rules_of(client, town)
    proposal = await raise_amendment(client, town, {"document": "rules_of_procedure", "base_number": 0,
                                                    "text": RULES_TEXT, "parameters": {"collect_days": 30}})
    assert (await open_vote(client, db, town, proposal["id"], rule="civil_code_major")).status_code == 200
    await vote(client, town, proposal["id"], "no")
    await client.post("/v1/test-clock", json={"advance_seconds": 25 * 3600})
    await run_due_jobs(db)
    closed = (await client.get(f"/v1/proposals/{proposal['id']}", headers=head.headers())).json()
    assert (closed["stage"], closed["outcome"]) == ("closed", "rejected")
    assert (await client.get(f"/v1/buildings/{town.building}/documents/rules_of_procedure",
                             headers=head.headers())).status_code == 404
    assert await rules_of(client, town) == before
    assert await db.fetchval("SELECT count(*) FROM document_versions WHERE building_id = $1", town.building) == 0
    assert await db.fetchval("SELECT count(*) FROM events WHERE type LIKE 'document.%' AND building_id = $1",
                             town.building) == 0
    patched = await client.patch(f"/v1/buildings/{town.building}", headers=town.people["leader"].headers(),
                                 json={"rules": {"collect_days": 10}})
    assert patched.status_code == 200 and patched.json()["rules"]["collect_days"] == 10  # not governed


async def test_a_stale_base_cannot_open_its_vote(client, db, town):
    head = town.people["head"]
    first = await raise_amendment(client, town, {"document": "convention", "base_number": 0, "text": CONVENTION})
    second = await raise_amendment(client, town, {"document": "convention", "base_number": 0,
                                                  "text": CONVENTION + "\n四、按时缴纳物业费。"})
    two_options = await raise_amendment(client, town, {"document": "convention", "base_number": 0, "text": "x"},
                                        options=2)
    many = await open_vote(client, db, town, two_options["id"])
    assert many.status_code == 422 and many.json()["code"] == "amendment_single_option"

    assert (await open_vote(client, db, town, first["id"])).status_code == 200
    busy = await open_vote(client, db, town, second["id"])
    assert busy.status_code == 409 and busy.json()["code"] == "document_amendment_in_vote"
    await vote(client, town, first["id"], "yes")
    await client.post("/v1/test-clock", json={"advance_seconds": 25 * 3600})
    await run_due_jobs(db)
    version = (await client.get(f"/v1/buildings/{town.building}/documents/convention", headers=head.headers())).json()
    assert (version["number"], version["text"], version["parameters"]) == (1, CONVENTION, None)

    stale = await open_vote(client, db, town, second["id"])
    assert stale.status_code == 409 and stale.json()["code"] == "document_amendment_stale"
    assert (await client.get(f"/v1/proposals/{second['id']}", headers=head.headers())).json()["stage"] == "deliberating"
    diff = (await client.get(f"/v1/proposals/{second['id']}/amendment/diff", headers=head.headers())).json()
    assert (diff["stale"], diff["compared_number"]) == (True, 1)
    assert [(line["kind"], line["text"]) for line in diff["lines"] if line["kind"] != "context"] == [
        ("hunk", "@@ -1,3 +1,4 @@"), ("added", "四、按时缴纳物业费。")]
    late = await client.post(f"/v1/buildings/{town.building}/proposals", headers=head.headers(), json={
        "title": "公约", "kind": "document_amendment",
        "amendment": {"document": "convention", "base_number": 0, "text": CONVENTION}})
    assert late.status_code == 409 and late.json()["code"] == "document_amendment_stale"
    on_one = await raise_amendment(client, town, {"document": "convention", "base_number": 1, "text": "新公约"})
    assert on_one["amendment"]["base_number"] == 1

    # Erasure (PIPL): the author's amendment text goes; the adopted version is the building's.
    assert (await client.delete("/v1/me", headers=head.headers())).status_code == 204
    leader = town.people["leader"]
    erased = (await client.get(f"/v1/proposals/{second['id']}", headers=leader.headers())).json()
    assert erased["amendment"]["text"] == "[已删除]" and erased["amendment"]["base_number"] == 0
    kept = (await client.get(f"/v1/buildings/{town.building}/documents/convention", headers=leader.headers())).json()
    assert kept["text"] == CONVENTION


async def test_amendments_opened_at_once_one_vote_opens(client, db, town):
    """The document row is locked FOR UPDATE while a vote opens: of amendments on the same base
    opened at the same moment, exactly one goes to the vote, and only it can be adopted."""
    raised = [await raise_amendment(client, town, {"document": "convention", "base_number": 0, "text": f"公约 {i}"})
              for i in range(6)]
    answers = await asyncio.gather(*[open_vote(client, db, town, p["id"]) for p in raised])
    assert sorted(a.status_code for a in answers) == [200] + [409] * 5, [a.text for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"document_amendment_in_vote"}
    winner = next(p for p, a in zip(raised, answers) if a.status_code == 200)
    await vote(client, town, winner["id"], "yes")
    await client.post("/v1/test-clock", json={"advance_seconds": 25 * 3600})
    await run_due_jobs(db)
    losers = [p for p, a in zip(raised, answers) if a.status_code == 409]
    again = await asyncio.gather(*[open_vote(client, db, town, p["id"]) for p in losers])
    assert {(a.status_code, a.json()["code"]) for a in again} == {(409, "document_amendment_stale")}
    assert await db.fetch("SELECT number, adopted_by_proposal_id FROM document_versions WHERE building_id = $1",
                          town.building) == [(1, winner["id"])]


async def test_an_amendments_text_is_content_checked_with_the_proposal(client, db, platform, wechat):
    from tests.api.test_content_safety import _building_with_two_residents

    building, author, _, _ = await _building_with_two_residents(client, platform)
    refused = await client.post(f"/v1/buildings/{building}/proposals", headers=author.headers(), json={
        "title": "修订公约", "kind": "document_amendment",
        "amendment": {"document": "convention", "base_number": 0, "text": "一、[risky] 广告"}})
    assert refused.status_code == 422 and refused.json()["code"] == "content_rejected"
    assert await db.fetchval("SELECT count(*) FROM proposals WHERE author_id = $1", author.person_id) == 0
