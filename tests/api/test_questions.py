"""Questions (问, the community part §10) by HTTP: residents ask, the community's staff answer
(open → answered, ``first_answered_at`` kept), the asker closes accepting an answer; private
questions are seen by their asker and staff only; the FAQ; erasure of their text; the asker
told of each answer by a subscription message."""

from __future__ import annotations

import json

import pytest

from store.erasure import ERASED
from tests.support.notifications import deliver_notifications, subscribe_town
from tests.support.town import build_town
from tests.support.wechat import register_miniprogram, sign_in_resident, unique_code
from usecases.crypto import Sealer


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


async def ask(client, town, who, status: int = 201, **fields) -> dict:
    body = {"title": "电动车可以在楼道充电吗？", "body": "楼道里有人给电动车充电。", **fields}
    answer = await client.post(f"/v1/communities/{town.community}/questions", headers=who.headers(), json=body)
    assert answer.status_code == status, answer.text
    return answer.json()


async def listed(client, town, who, query: str = "") -> list[str]:
    answer = await client.get(f"/v1/communities/{town.community}/questions{query}", headers=who.headers())
    assert answer.status_code == 200, answer.text
    return [q["id"] for q in answer.json()["data"]]


async def test_asked_answered_accepted_and_the_faq(client, db, town):
    head, tenant, staff, leader = (town.people[k] for k in ("head", "tenant", "staff", "leader"))
    public = await ask(client, town, head)
    assert public["status"] == "open" and public["asked_by_me"] and public["first_answered_at"] is None
    private = await ask(client, town, tenant, public=False, title="我家漏水怎么办")
    # private: its asker and staff only
    assert await listed(client, town, head) == [public["id"]]
    assert set(await listed(client, town, staff)) == {public["id"], private["id"]}
    assert (await client.get(f"/v1/questions/{private['id']}", headers=head.headers())).status_code == 404
    assert (await client.get(f"/v1/questions/{private['id']}", headers=tenant.headers())).status_code == 200
    far = town.people["far_resident"]
    assert (await client.get(f"/v1/questions/{public['id']}", headers=far.headers())).status_code == 404
    await ask(client, town, far, 404)
    # staff answer; a building's leader or a resident may not
    url = f"/v1/questions/{public['id']}/answers"
    assert (await client.post(url, headers=leader.headers(), json={"body": "x"})).status_code == 403
    first = await client.post(url, headers=staff.headers(), json={"body": "不允许，请到集中充电棚充电。"})
    assert first.status_code == 201, first.text
    second = await client.post(url, headers=staff.headers(), json={"body": "充电棚在 3 号楼北侧。"})
    read = (await client.get(f"/v1/questions/{public['id']}", headers=head.headers())).json()
    assert read["status"] == "answered" and read["answers"] == 2 and read["first_answered_at"]
    assert read["first_answered_at"] <= second.json()["created_at"]
    page = (await client.get(url, headers=head.headers())).json()
    assert [a["id"] for a in page["data"]] == [second.json()["id"], first.json()["id"]]
    # the FAQ: public and answered
    assert await listed(client, town, head, "?status=answered&public=true") == [public["id"]]
    assert await listed(client, town, staff, "?status=answered&public=true") == [public["id"]]
    # the asker closes, accepting an answer of this question only
    moves = f"/v1/questions/{public['id']}/transitions"
    assert (await client.post(moves, headers=tenant.headers(), json={"to": "closed"})).status_code == 403
    foreign = await client.post(f"/v1/questions/{private['id']}/answers", headers=staff.headers(),
                                json={"body": "请联系物业维修。"})
    bad = await client.post(moves, headers=head.headers(), json={"to": "closed",
                                                                  "accepted_answer_id": foreign.json()["id"]})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_accepted_answer"
    assert (await client.post(moves, headers=head.headers(), json={"to": "answered"})).status_code == 409
    closed = await client.post(moves, headers=head.headers(), json={"to": "closed",
                                                                     "accepted_answer_id": first.json()["id"]})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["accepted_answer_id"] == first.json()["id"]
    late = await client.post(url, headers=staff.headers(), json={"body": "补充"})
    assert late.status_code == 409 and late.json()["code"] == "wrong_question_status"
    again = await client.post(moves, headers=head.headers(), json={"to": "closed"})
    assert again.status_code == 409 and again.json()["code"] == "wrong_question_status"
    # closed ones leave status=answered; faq=true keeps every public question with an answer
    assert await listed(client, town, head, "?status=answered&public=true") == []
    assert await listed(client, town, head, "?faq=true") == [public["id"]]
    assert await listed(client, town, staff, "?faq=true") == [public["id"]]  # the private one is no FAQ
    types = [r["type"] for r in await db.fetch("SELECT type FROM events WHERE subject_id = $1 ORDER BY seq",
                                               public["id"])]
    assert types == ["question.created", "question.answered", "question.answered", "question.closed"]


async def test_erasure_removes_question_and_answer_text(client, db, town):
    head, staff = town.people["head"], town.people["staff"]
    question = await ask(client, town, head, title="问题-抹去", body="邻居电话13912345678")
    await client.post(f"/v1/questions/{question['id']}/answers", headers=staff.headers(), json={"body": "答复-保留"})
    mine = await ask(client, town, staff, title="员工的问题")
    answered = await client.post(f"/v1/questions/{mine['id']}/answers", headers=staff.headers(),
                                 json={"body": "员工答复-抹去"})
    assert (await client.delete("/v1/me", headers=head.headers())).status_code == 204
    row = await db.fetchrow("SELECT title, body FROM questions WHERE id = $1", question["id"])
    assert (row["title"], row["body"]) == (ERASED, ERASED)
    assert await db.fetchval("SELECT body FROM question_answers WHERE question_id = $1", question["id"]) == "答复-保留"
    assert (await client.delete("/v1/me", headers=staff.headers())).status_code == 204
    assert await db.fetchval("SELECT body FROM question_answers WHERE id = $1", answered.json()["id"]) == ERASED


async def test_the_asker_is_told_of_each_answer_once(client, db, town, platform, wechat, test_settings):
    """A ``question_answered`` subscription message per answer, to the asker only, sent once."""
    subscribed = await subscribe_town(client, db, town, platform, ("question_answered",))
    head, staff = town.people["head"], town.people["staff"]
    question = await ask(client, town, head, title="小区东门晚上几点关门？")
    answered = await client.post(f"/v1/questions/{question['id']}/answers", headers=staff.headers(),
                                 json={"body": "晚上 11 点关门，之后请走北门。"})
    assert answered.status_code == 201, answered.text
    for _ in range(2):
        await deliver_notifications(db, wechat.base_url, Sealer(test_settings.data_key_bytes))
    sent = wechat.sent_messages(subscribed["head"])
    assert [m["template_id"] for m in sent] == ["tmpl-question_answered"]
    assert not wechat.sent_messages(subscribed["staff"])
    mine = (await client.get("/v1/me/notifications", headers=head.headers())).json()["data"]
    assert [(n["kind"], n["status"]) for n in mine] == [("question_answered", "sent")]


async def test_question_text_is_checked_and_decided_at_once(client, db, platform, wechat):
    """Scene 3, never held: risky and under-review text are 422 ``content_rejected``."""
    admin = platform.headers()
    community = (await client.post("/v1/communities", headers=admin, json={"name": "问答社区"})).json()["id"]
    building = (await client.post(f"/v1/communities/{community}/buildings", headers=admin,
                                  json={"name": "5 号楼"})).json()["id"]
    household = (await client.post(f"/v1/buildings/{building}/households", headers=admin,
                                   json={"unit_label": "5-101", "area_m2": "80.00"})).json()["id"]
    code = (await client.post(f"/v1/households/{household}/invites", headers=admin,
                              json={"role": "owner", "head": True})).json()["code"]
    resident = await sign_in_resident(client, await register_miniprogram(client, platform), unique_code("ask-"))
    assert (await client.post("/v1/me/memberships", headers=resident.headers(),
                              json={"invite_code": code})).status_code == 201
    url = f"/v1/communities/{community}/questions"
    for marker in ("[risky]", "[review]"):
        refused = await client.post(url, headers=resident.headers(), json={"title": f"广告 {marker}"})
        assert refused.status_code == 422 and refused.json()["code"] == "content_rejected", refused.text
    assert await db.fetchval("SELECT count(*) FROM questions WHERE community_id = $1", community) == 0
    fine = await client.post(url, headers=resident.headers(), json={"title": "快递柜在哪里？"})
    assert fine.status_code == 201, fine.text
    openid = await db.fetchval("SELECT openid FROM wechat_identities WHERE person_id = $1", resident.person_id)
    scenes = [json.loads(r.body)["scene"] for r in wechat.requests("/wxa/msg_sec_check")
              if json.loads(r.body)["openid"] == openid]
    assert scenes == [3, 3, 3]
