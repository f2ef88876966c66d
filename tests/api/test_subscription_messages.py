"""WeChat subscription messages through the stand-in: a resident's accepts, a mini-program's
template mapping, a report's status change sent exactly once, and every answer of
subscribe/send recorded as integrations.md §B says (timeout unknown and never resent, 43101
zeroes the count, -1 retried, no quota not sent, a send left by a killed worker unknown after
a bound)."""

from __future__ import annotations

import json

import pytest

from domain import notifications as rules
from tests.support.notifications import CLOCK, deliver_notifications
from tests.support.wechat import MiniProgram, Resident, register_miniprogram, sign_in_resident, unique_code
from usecases.crypto import Sealer
from usecases.notifications_jobs import _claim, fold
from worker.relay import relay_once

TEMPLATE = "tmpl-report-status"
MAPPING = {"miniprogram_state": "formal", "templates": {
    "report_status_changed": {"template_id": TEMPLATE, "page": "pages/reports/detail",
                              "fields": {"thing1": "title", "phrase2": "status", "time3": "time",
                                         "thing4": "building"}},
    "question_answered": {"template_id": "tmpl-question", "fields": {"thing1": "title"}}}}


async def _street_with_resident(client, platform) -> tuple[MiniProgram, Resident, str]:
    admin = platform.headers()
    community = (await client.post("/v1/communities", headers=admin, json={"name": "中环花苑"})).json()["id"]
    building = (await client.post(f"/v1/communities/{community}/buildings", headers=admin,
                                  json={"name": "3 号楼（东区靠近南门的那一栋高层住宅）A 座"})).json()["id"]
    household = (await client.post(f"/v1/buildings/{building}/households", headers=admin,
                                   json={"unit_label": "3-1-201", "area_m2": "89.50"})).json()["id"]
    code = (await client.post(f"/v1/households/{household}/invites", headers=admin,
                              json={"role": "owner", "head": True})).json()["code"]
    app = await register_miniprogram(client, platform)
    resident = await sign_in_resident(client, app, unique_code("notify-"))
    assert (await client.post("/v1/me/memberships", headers=resident.headers(),
                              json={"invite_code": code})).status_code == 201
    return app, resident, building


async def _report_and_acknowledge(client, platform, resident: Resident, building: str) -> str:
    report = await client.post(f"/v1/buildings/{building}/reports", headers=resident.headers(),
                               json={"category": "facilities", "description": "楼道灯坏了"})
    assert report.status_code == 201, report.text
    report_id = report.json()["id"]
    moved = await client.post(f"/v1/reports/{report_id}/transitions", headers=platform.headers(),
                              json={"to": "acknowledged"})
    assert moved.status_code == 200, moved.text
    return report_id


async def _arranged(client, platform, *, accepts: int = 1):
    app, resident, building = await _street_with_resident(client, platform)
    put = await client.put(f"/v1/clients/{app.client_id}/message-templates", headers=platform.headers(),
                           json=MAPPING)
    assert put.status_code == 200, put.text
    for _ in range(accepts):
        subscribed = await client.post("/v1/me/subscriptions", headers=resident.headers(),
                                       json={"results": {TEMPLATE: "accept", "tmpl-other": "reject"}})
        assert subscribed.status_code == 200, subscribed.text
    return app, resident, building


def _sealer(test_settings) -> Sealer:
    return Sealer(test_settings.data_key_bytes)


async def _mine(client, resident: Resident) -> list[dict]:
    listed = await client.get("/v1/me/notifications", headers=resident.headers())
    assert listed.status_code == 200, listed.text
    return listed.json()["data"]


async def test_a_status_change_is_sent_exactly_once_rendered_to_the_limits(client, db, platform, wechat,
                                                                           test_settings):
    _, resident, building = await _arranged(client, platform)
    assert (await client.post("/v1/me/subscriptions", headers=resident.headers(),
                              json={"results": {TEMPLATE: "accept"}})).json()["counts"] == {TEMPLATE: 2}
    report_id = await _report_and_acknowledge(client, platform, resident, building)
    openid = await db.fetchval("SELECT openid FROM wechat_identities WHERE person_id = $1", resident.person_id)

    assert await deliver_notifications(db, wechat.base_url, _sealer(test_settings)) == 1
    assert await deliver_notifications(db, wechat.base_url, _sealer(test_settings)) == 0  # never again
    sent = wechat.sent_messages(openid)
    assert len(sent) == 1
    message = sent[0]
    assert message["template_id"] == TEMPLATE and message["page"] == "pages/reports/detail"
    assert message["miniprogram_state"] == "formal"
    assert message["data"]["thing1"] == {"value": "设施报修"}
    assert message["data"]["phrase2"] == {"value": "已受理"}
    assert message["data"]["thing4"]["value"] == "3 号楼（东区靠近南门的那一栋高层住宅…"  # 20 characters
    assert message["data"]["time3"]["value"].startswith("20") and "年" in message["data"]["time3"]["value"]
    assert [(n["kind"], n["subject"], n["status"], n["outcome"]) for n in await _mine(client, resident)] == [
        ("report_status_changed", {"type": "report", "id": report_id}, "sent", "sent")]
    assert "楼道灯" not in (await client.get("/v1/me/notifications", headers=resident.headers())).text
    assert await db.fetchval("SELECT remaining FROM subscription_counts WHERE person_id = $1",
                             resident.person_id) == 1


async def test_a_send_that_times_out_is_unknown_and_never_sent_again(client, db, platform, wechat, test_settings):
    _, resident, building = await _arranged(client, platform, accepts=3)
    openid = await db.fetchval("SELECT openid FROM wechat_identities WHERE person_id = $1", resident.person_id)
    wechat.queue_send("slow")
    await _report_and_acknowledge(client, platform, resident, building)
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings), timeout=0.5)
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings), timeout=0.5)
    tried = [r for r in wechat.requests("/cgi-bin/message/subscribe/send") if json.loads(r.body)["touser"] == openid]
    assert len(tried) == 1
    assert [(n["status"], n["outcome"]) for n in await _mine(client, resident)] == [("unknown", "timeout")]


@pytest.mark.parametrize(("errcode", "outcome"), [
    (43101, "no_quota"), (40003, "invalid_openid"), (40037, "invalid_template"), (41030, "invalid_page"),
    (47003, "invalid_data"), (45009, "wechat_error")])
async def test_refusals_are_final(client, db, platform, wechat, test_settings, errcode, outcome):
    _, resident, building = await _arranged(client, platform, accepts=3)
    openid = await db.fetchval("SELECT openid FROM wechat_identities WHERE person_id = $1", resident.person_id)
    wechat.queue_send(errcode)
    await _report_and_acknowledge(client, platform, resident, building)
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings))
    await db.execute("UPDATE notifications SET due_at = now() - interval '1 hour' WHERE person_id = $1",
                     resident.person_id)
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings))
    tried = [r for r in wechat.requests("/cgi-bin/message/subscribe/send") if json.loads(r.body)["touser"] == openid]
    assert len(tried) == 1
    assert [(n["status"], n["outcome"]) for n in await _mine(client, resident)] == [("failed", outcome)]
    remaining = await db.fetchval("SELECT remaining FROM subscription_counts WHERE person_id = $1",
                                  resident.person_id)
    assert remaining == (0 if errcode == 43101 else 3)


async def test_system_busy_is_retried_and_then_sent(client, db, platform, wechat, test_settings):
    _, resident, building = await _arranged(client, platform)
    openid = await db.fetchval("SELECT openid FROM wechat_identities WHERE person_id = $1", resident.person_id)
    wechat.queue_send(-1)
    await _report_and_acknowledge(client, platform, resident, building)
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings))
    assert [(n["status"], n["outcome"]) for n in await _mine(client, resident)] == [("queued", "system_busy")]
    assert await db.fetchval("SELECT due_at > now() FROM notifications WHERE person_id = $1", resident.person_id)
    await db.execute("UPDATE notifications SET due_at = now() - interval '1 second' WHERE person_id = $1",
                     resident.person_id)  # the back-off's wait, passed
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings))
    assert len(wechat.sent_messages(openid)) == 1
    assert [(n["status"], n["outcome"]) for n in await _mine(client, resident)] == [("sent", "sent")]


async def test_no_local_quota_is_not_sent_and_no_template_is_skipped(client, db, platform, wechat, test_settings):
    _, resident, building = await _arranged(client, platform, accepts=0)
    await _report_and_acknowledge(client, platform, resident, building)
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings))
    openid = await db.fetchval("SELECT openid FROM wechat_identities WHERE person_id = $1", resident.person_id)
    assert not [r for r in wechat.requests("/cgi-bin/message/subscribe/send")
                if json.loads(r.body)["touser"] == openid]
    assert [(n["status"], n["outcome"]) for n in await _mine(client, resident)] == [("skipped", "no_quota")]


async def test_a_stale_token_is_renewed_once_inside_the_send(client, db, platform, wechat, test_settings):
    app, resident, building = await _arranged(client, platform, accepts=2)
    openid = await db.fetchval("SELECT openid FROM wechat_identities WHERE person_id = $1", resident.person_id)
    await _report_and_acknowledge(client, platform, resident, building)
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings))
    wechat.revoke_access_tokens()
    moved = await client.post(f"/v1/reports/{await db.fetchval('SELECT id FROM reports WHERE reporter_id = $1', resident.person_id)}/transitions",
                              headers=platform.headers(), json={"to": "in_progress"})
    assert moved.status_code == 200, moved.text
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings))
    assert len(wechat.sent_messages(openid)) == 2
    assert wechat.force_refreshes(app.appid) == 1


async def test_templates_are_the_platforms_and_checked(client, platform, other_platform):
    app = await register_miniprogram(client, platform)
    path = f"/v1/clients/{app.client_id}/message-templates"
    assert (await client.get(path, headers=platform.headers())).status_code == 404  # none yet
    assert (await client.put(path, headers=platform.headers(), json=MAPPING)).status_code == 200
    read = await client.get(path, headers=platform.headers())
    assert read.status_code == 200 and read.json()["templates"]["report_status_changed"]["fields"]["phrase2"] == "status"
    assert (await client.get(path, headers=other_platform.headers())).status_code == 404
    for bad in ({**MAPPING, "miniprogram_state": "beta"},
                {**MAPPING, "templates": {"rent_due": {"template_id": "t"}}},
                {**MAPPING, "templates": {"vote_opened": {"template_id": "t", "fields": {"thing1": "salary"}}}},
                {**MAPPING, "templates": {"vote_opened": {"template_id": "t", "fields": {"colour1": "title"}}}}):
        refused = await client.put(path, headers=platform.headers(), json=bad)
        assert refused.status_code in (400, 422), refused.text
    resident = await sign_in_resident(client, app)
    assert (await client.put(path, headers=resident.headers(), json=MAPPING)).status_code == 403
    refused = await client.post("/v1/me/subscriptions", headers=platform.headers(), json={"results": {"t": "accept"}})
    assert refused.status_code == 403


@pytest.mark.parametrize(("errcode", "status", "outcome"), [(-1, "queued", "system_busy"),
                                                            (40013, "failed", "wechat_error")])
async def test_a_refused_access_token_is_a_retry_or_final(client, db, platform, wechat, test_settings, errcode,
                                                          status, outcome):
    _, resident, building = await _arranged(client, platform)
    await _report_and_acknowledge(client, platform, resident, building)
    wechat.stable_token_error = errcode
    try:
        await deliver_notifications(db, wechat.base_url, _sealer(test_settings))
    finally:
        wechat.stable_token_error = None
    assert [(n["status"], n["outcome"]) for n in await _mine(client, resident)] == [(status, outcome)]


async def test_a_send_left_by_a_killed_worker_is_unknown_after_the_bound_and_never_sent(client, db, platform, wechat,
                                                                                       test_settings):
    _, resident, building = await _arranged(client, platform, accepts=2)
    openid = await db.fetchval("SELECT openid FROM wechat_identities WHERE person_id = $1", resident.person_id)
    await _report_and_acknowledge(client, platform, resident, building)
    async with db.acquire() as conn:  # a worker claims the send and dies before WeChat answers
        await relay_once(conn, CLOCK)
        await fold(conn, await CLOCK.now(conn))
        claimed = await _claim(conn, await CLOCK.now(conn))
    assert claimed is not None
    notification_id = claimed[0].id
    bound = rules.stale_sending_after(1.0)  # deliver_notifications' WeChat timeout

    for age in (0.0, bound - 2):  # a call that may still be running is left alone
        await db.execute("UPDATE notifications SET updated_at = clock_timestamp() - make_interval(secs => $2) "
                         "WHERE id = $1", notification_id, age)
        await deliver_notifications(db, wechat.base_url, _sealer(test_settings), timeout=1.0)
        assert [(n["status"], n["outcome"]) for n in await _mine(client, resident)] == [("sending", None)]

    await db.execute("UPDATE notifications SET updated_at = clock_timestamp() - make_interval(secs => $2) "
                     "WHERE id = $1", notification_id, bound + 1)
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings), timeout=1.0)
    await deliver_notifications(db, wechat.base_url, _sealer(test_settings), timeout=1.0)
    assert [(n["status"], n["outcome"]) for n in await _mine(client, resident)] == [("unknown", "timeout")]
    assert not [r for r in wechat.requests("/cgi-bin/message/subscribe/send") if json.loads(r.body)["touser"] == openid]
    row = await db.fetchrow("SELECT facts, attempts FROM notifications WHERE id = $1", notification_id)
    assert row["facts"] in ({}, "{}") and row["attempts"] == 1
    assert await db.fetchval("SELECT remaining FROM subscription_counts WHERE person_id = $1",
                             resident.person_id) == 1  # used, as a timeout uses it
