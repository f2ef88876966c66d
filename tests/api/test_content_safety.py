"""Content safety through the WeChat stand-in (msgSecCheck v2): risky text is refused with
WeChat's label, text under review waits hidden from everyone but its author and the leaders
until a leader decides, and with WeChat down text is accepted as pending and checked again by
the worker when WeChat is back; a name a resident gives themself (scene 1) is refused when
risky or under review, and refused for now (503) while WeChat gives no verdict. Marker words
decide: [risky], [review]."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from integrations.wechat import WeChatClient
from tests.support.notifications import CLOCK
from tests.support.wechat import Resident, register_miniprogram, sign_in_resident, unique_code
from usecases.crypto import Sealer
from usecases.moderation import ContentChecker
from worker.moderation import recheck_due


@pytest.fixture
def wechat_back(wechat) -> Iterator[None]:
    yield
    wechat.sec_check = None  # the stand-in is shared by the session: leave it answering


async def _building_with_two_residents(client, platform) -> tuple[str, Resident, Resident, str]:
    admin = platform.headers()
    community = (await client.post("/v1/communities", headers=admin, json={"name": "中环花苑"})).json()["id"]
    building = (await client.post(f"/v1/communities/{community}/buildings", headers=admin,
                                  json={"name": "3 号楼"})).json()["id"]
    app = await register_miniprogram(client, platform)
    residents = []
    for unit in ("3-1-201", "3-1-202"):
        household = (await client.post(f"/v1/buildings/{building}/households", headers=admin,
                                       json={"unit_label": unit, "area_m2": "89.50"})).json()["id"]
        code = (await client.post(f"/v1/households/{household}/invites", headers=admin,
                                  json={"role": "owner", "head": True})).json()["code"]
        resident = await sign_in_resident(client, app, unique_code("safety-"))
        assert (await client.post("/v1/me/memberships", headers=resident.headers(),
                                  json={"invite_code": code})).status_code == 201
        residents.append(resident)
    return building, residents[0], residents[1], app.appid


def _checks(wechat, openid: str) -> list[dict]:
    return [json.loads(r.body) for r in wechat.requests("/wxa/msg_sec_check") if json.loads(r.body)["openid"] == openid]


async def _openid(db, resident: Resident) -> str:
    return await db.fetchval("SELECT openid FROM wechat_identities WHERE person_id = $1", resident.person_id)


async def test_risky_text_is_refused_with_wechats_label_and_long_text_is_checked_in_chunks(client, db, platform,
                                                                                          wechat):
    building, author, _, _ = await _building_with_two_residents(client, platform)
    refused = await client.post(f"/v1/buildings/{building}/proposals", headers=author.headers(),
                                json={"title": "加装电梯", "description": "好" * 2600 + "[risky]"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "content_rejected" and refused.json()["label"] == 20001
    checks = _checks(wechat, await _openid(db, author))
    assert [(c["version"], c["scene"], len(c["content"])) for c in checks] == [(2, 3, 2500), (2, 3, 112)]  # "加装电梯\n" + 2,607
    assert await db.fetchval("SELECT count(*) FROM proposals WHERE author_id = $1", author.person_id) == 0

    report = await client.post(f"/v1/buildings/{building}/reports", headers=author.headers(),
                               json={"category": "other", "description": "[risky] 广告"})
    assert report.status_code == 422 and report.json()["code"] == "content_rejected"
    fine = await client.post(f"/v1/buildings/{building}/reports", headers=author.headers(),
                             json={"category": "facilities", "description": "楼道灯坏了"})
    assert fine.status_code == 201 and fine.json()["moderation"] == "passed"


async def test_review_text_is_hidden_from_others_until_a_leader_approves(client, platform, wechat):
    building, author, neighbour, _ = await _building_with_two_residents(client, platform)
    created = await client.post(f"/v1/buildings/{building}/proposals", headers=author.headers(),
                                json={"title": "换物业 [review]", "description": "大家怎么看"})
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert proposal["moderation"] == "pending"
    path, listing = f"/v1/proposals/{proposal['id']}", f"/v1/buildings/{building}/proposals"
    assert (await client.get(path, headers=author.headers())).json()["moderation"] == "pending"
    assert (await client.get(path, headers=neighbour.headers())).status_code == 404
    assert proposal["id"] not in [p["id"] for p in (await client.get(listing, headers=neighbour.headers())).json()["data"]]
    assert proposal["id"] in [p["id"] for p in (await client.get(listing, headers=author.headers())).json()["data"]]
    assert proposal["id"] in [p["id"] for p in (await client.get(listing, headers=platform.headers())).json()["data"]]

    mine = await client.post(f"/v1/moderation/proposal/{proposal['id']}/approve", headers=author.headers())
    assert mine.status_code == 403  # the author is no leader
    approved = await client.post(f"/v1/moderation/proposal/{proposal['id']}/approve", headers=platform.headers())
    assert approved.status_code == 200 and approved.json() == {"type": "proposal", "id": proposal["id"],
                                                               "moderation": "approved"}
    assert (await client.get(path, headers=neighbour.headers())).json()["moderation"] == "approved"

    rejected = await client.post(f"/v1/moderation/proposal/{proposal['id']}/reject", headers=platform.headers())
    assert rejected.status_code == 200 and rejected.json()["moderation"] == "rejected"
    assert (await client.get(path, headers=neighbour.headers())).status_code == 404
    assert (await client.post(f"/v1/moderation/proposal/{proposal['id']}/approve",
                              headers=neighbour.headers())).status_code == 404
    assert (await client.post("/v1/moderation/task/tsk_0000000000000000/approve",
                              headers=platform.headers())).status_code == 404


@pytest.mark.parametrize("outage", ["system", "inactive", "slow"])
async def test_with_wechat_down_text_waits_and_the_worker_checks_it_when_wechat_is_back(
        client, db, platform, wechat, wechat_back, test_settings, outage):
    building, author, neighbour, _ = await _building_with_two_residents(client, platform)
    wechat.sec_check = outage  # -1, 61010, or no answer within the timeout
    created = await client.post(f"/v1/buildings/{building}/proposals", headers=author.headers(),
                                json={"title": "装充电桩", "description": "地下车库"})
    assert created.status_code == 201, created.text
    proposal_id = created.json()["id"]
    assert created.json()["moderation"] == "pending"
    assert (await client.get(f"/v1/proposals/{proposal_id}", headers=neighbour.headers())).status_code == 404

    wechat_client = WeChatClient(wechat.base_url, timeout=1)
    checker = ContentChecker(wechat_client, Sealer(test_settings.data_key_bytes), enabled=True)
    due = "UPDATE moderation_checks SET next_check_at = now() - interval '1 second' WHERE subject_id = $1"
    try:
        await db.execute(due, proposal_id)
        async with db.acquire() as conn:
            assert await recheck_due(conn, CLOCK, checker) >= 1  # still down: later
        assert await db.fetchval("SELECT moderation FROM proposals WHERE id = $1", proposal_id) == "pending"
        assert await db.fetchval("SELECT next_check_at > now() FROM moderation_checks WHERE subject_id = $1",
                                 proposal_id)
        wechat.sec_check = None  # WeChat is back
        await db.execute(due, proposal_id)
        async with db.acquire() as conn:
            await recheck_due(conn, CLOCK, checker)
    finally:
        await wechat_client.aclose()
    assert await db.fetchval("SELECT moderation FROM proposals WHERE id = $1", proposal_id) == "passed"
    assert await db.fetchval("SELECT count(*) FROM moderation_checks WHERE subject_id = $1", proposal_id) == 0
    assert (await client.get(f"/v1/proposals/{proposal_id}", headers=neighbour.headers())).status_code == 200


async def test_callers_without_an_openid_and_the_switch_are_not_checked(client, db, platform, wechat, test_settings):
    building, author, _, _ = await _building_with_two_residents(client, platform)
    openid = await _openid(db, author)
    unchecked = dataclasses.replace(test_settings, content_check=False)
    async with AsyncTestClient(app=create_app(unchecked), base_url="http://bilin.test") as off:
        created = await off.post(f"/v1/buildings/{building}/reports", headers=author.headers(),
                                 json={"category": "other", "description": "[risky] 不查"})
    assert created.status_code == 201 and created.json()["moderation"] == "none"
    # Staff on the platform: a leader with no openid (the platform client has no person).
    await db.execute("DELETE FROM wechat_identities WHERE person_id = $1", author.person_id)
    created = await client.post(f"/v1/buildings/{building}/reports", headers=author.headers(),
                                json={"category": "other", "description": "[risky] 没有 openid"})
    assert created.status_code == 201 and created.json()["moderation"] == "none"
    assert not _checks(wechat, openid)


@pytest.mark.parametrize("errcode", [-1, 40013, 45009])
async def test_a_refused_access_token_leaves_the_text_pending_never_a_5xx(client, platform, wechat, errcode):
    building, author, _, _ = await _building_with_two_residents(client, platform)  # a new app: no token yet
    wechat.stable_token_error = errcode
    try:
        created = await client.post(f"/v1/buildings/{building}/reports", headers=author.headers(),
                                    json={"category": "other", "description": "电梯异响"})
    finally:
        wechat.stable_token_error = None
    assert created.status_code == 201, created.text
    assert created.json()["moderation"] == "pending"


async def test_a_comment_under_review_is_listed_only_for_its_author_and_the_leaders(client, db, platform, wechat):
    building, author, neighbour, _ = await _building_with_two_residents(client, platform)
    proposal = (await client.post(f"/v1/buildings/{building}/proposals", headers=neighbour.headers(),
                                  json={"title": "加装电梯"})).json()
    comments = f"/v1/proposals/{proposal['id']}/comments"
    risky = await client.post(comments, headers=author.headers(), json={"body": "[risky] 骂人的话"})
    assert risky.status_code == 422 and risky.json()["code"] == "content_rejected"
    held = await client.post(comments, headers=author.headers(), json={"body": "物业费 [review]"})
    assert held.status_code == 201 and held.json()["moderation"] == "pending"
    scenes = {c["scene"] for c in _checks(wechat, await _openid(db, author))}
    assert scenes == {2}

    def ids(response) -> list[str]:
        return [c["id"] for c in response.json()["data"]]

    assert held.json()["id"] not in ids(await client.get(comments, headers=neighbour.headers()))
    assert held.json()["id"] in ids(await client.get(comments, headers=author.headers()))
    assert held.json()["id"] in ids(await client.get(comments, headers=platform.headers()))
    approved = await client.post(f"/v1/moderation/comment/{held.json()['id']}/approve", headers=platform.headers())
    assert approved.status_code == 200 and approved.json()["moderation"] == "approved"
    assert held.json()["id"] in ids(await client.get(comments, headers=neighbour.headers()))


async def test_a_name_a_resident_gives_themself_is_checked_with_scene_1_and_never_held(client, db, platform, wechat):
    _, resident, _, _ = await _building_with_two_residents(client, platform)
    openid = await _openid(db, resident)
    named = await client.patch("/v1/me", headers=resident.headers(), json={"nickname": "张阿姨", "real_name": "张三"})
    assert named.status_code == 200 and named.json()["nickname"] == "张阿姨", named.text
    assert [(c["scene"], c["content"]) for c in _checks(wechat, openid)] == [(1, "张阿姨\n张三")]

    for name, label in (("[risky] 广告位招租", 20001), ("老王 [review]", 20002)):  # a name is never held
        refused = await client.patch("/v1/me", headers=resident.headers(), json={"nickname": name})
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "content_rejected" and refused.json()["label"] == label
    refused = await client.patch("/v1/me", headers=resident.headers(), json={"real_name": "[risky]"})
    assert refused.status_code == 422 and refused.json()["code"] == "content_rejected"
    me = (await client.get("/v1/me", headers=resident.headers())).json()
    assert (me["nickname"], me["real_name"]) == ("张阿姨", "张三")

    checks = len(_checks(wechat, openid))
    opted = await client.patch("/v1/me", headers=resident.headers(), json={"show_on_leaderboard": True,
                                                                          "nickname": None})
    assert opted.status_code == 200 and opted.json()["nickname"] is None
    assert len(_checks(wechat, openid)) == checks  # no name given: nothing to check


@pytest.mark.parametrize("outage", ["system", "inactive", "slow"])
async def test_with_wechat_down_a_name_is_refused_for_now_and_kept_as_it_was(client, db, platform, wechat,
                                                                             wechat_back, outage):
    _, resident, _, _ = await _building_with_two_residents(client, platform)
    assert (await client.patch("/v1/me", headers=resident.headers(), json={"nickname": "小李"})).status_code == 200
    wechat.sec_check = outage  # -1, 61010, or no answer within the timeout
    later = await client.patch("/v1/me", headers=resident.headers(), json={"nickname": "李老师"})
    assert later.status_code == 503, later.text
    assert later.json()["code"] == "wechat_unavailable" and later.headers["retry-after"] == "5"
    wechat.sec_check = None
    assert (await client.get("/v1/me", headers=resident.headers())).json()["nickname"] == "小李"
    again = await client.patch("/v1/me", headers=resident.headers(), json={"nickname": "李老师"})
    assert again.status_code == 200 and again.json()["nickname"] == "李老师"


async def test_a_votes_option_is_checked_at_once_and_never_held(client, db, platform, wechat):
    building, author, _, _ = await _building_with_two_residents(client, platform)
    proposal = (await client.post(f"/v1/buildings/{building}/proposals", headers=author.headers(),
                                  json={"title": "楼道绿植", "description": "摆几盆绿植"})).json()
    openid, path = await _openid(db, author), f"/v1/proposals/{proposal['id']}/options"
    for title, label in (("[risky] 加微信领红包", 20001), ("再议 [review]", 20002)):  # every voter sees it as written
        refused = await client.post(path, headers=author.headers(), json={"title": title})
        assert refused.status_code == 422 and refused.json()["label"] == label, refused.text
    added = await client.post(path, headers=author.headers(), json={"title": "绿萝", "description": "好养"})
    assert added.status_code == 201, added.text
    assert _checks(wechat, openid)[-1]["scene"] == 3 and _checks(wechat, openid)[-1]["content"] == "绿萝\n好养"
    titles = [o["title"] for o in (await client.get(path, headers=author.headers())).json()["data"]]
    assert titles == ["绿萝"]
