"""A resident's journey with a photo (issue 14, "Done when"), over HTTP through the WeChat
stand-in: a photo of a broken light with the phone's GPS position in its EXIF is uploaded as
wx.uploadFile sends it, a problem is reported with it, the building's leader turns the report
into a task, the resident (who accepted the "status changed" template in their mini-program)
is told exactly once by the worker, and the photo everyone is shown has no EXIF at all."""

from __future__ import annotations

import pytest

from tests.support.notifications import deliver_notifications, subscribe_town
from tests.support.photos import exif_of, has_gps, jpeg_with_gps
from tests.support.town import build_town
from usecases.crypto import Sealer

pytestmark = pytest.mark.xdist_group("clock")  # beside the orphan sweep's clock moves, never concurrently


async def test_a_resident_reports_a_problem_with_a_photo_is_told_once_and_its_position_is_never_published(
        client, db, test_settings, platform, wechat):
    town = await build_town(db, test_settings, platform)
    resident, leader = town.people["head"], town.people["leader"]
    openids = await subscribe_town(client, db, town, platform, ("report_status_changed",), accepts=1)

    taken = jpeg_with_gps(120, 90, orientation=3)
    boundary = "----WebKitFormBoundaryWx7f3a"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="tmp_3c9e.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n").encode() + taken + f"\r\n--{boundary}--\r\n".encode()
    uploaded = await client.post("/v1/media", content=body, headers=resident.headers(**{
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Idempotency-Key": "wx-upload-1"}))
    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.json()

    reported = await client.post(f"/v1/buildings/{town.building}/reports", headers=resident.headers(), json={
        "category": "facilities", "description": "3 楼楼道灯不亮", "location": "3 楼", "media_ids": [photo["id"]]})
    assert reported.status_code == 201, reported.text
    report = reported.json()
    assert [m["id"] for m in report["media"]] == [photo["id"]]

    converted = await client.post(f"/v1/reports/{report['id']}/tasks", headers=leader.headers(), json={})
    assert converted.status_code == 201, converted.text
    assert converted.json()["source_id"] == report["id"]
    seen = (await client.get(f"/v1/reports/{report['id']}", headers=leader.headers())).json()
    assert seen["status"] == "in_progress" and seen["task_id"] == converted.json()["id"]

    sealer = Sealer(test_settings.data_key_bytes)
    for _ in range(2):  # the worker's second pass sends nothing more
        await deliver_notifications(db, wechat.base_url, sealer)
    sent = wechat.sent_messages(openids["head"])
    assert [(m["template_id"], m["data"]["thing1"]["value"], m["data"]["phrase2"]["value"]) for m in sent] == [
        ("tmpl-report_status_changed", "设施报修", "处理中")]
    assert [m["template_id"] for m in wechat.sent_messages(openids["leader"])] == []  # they moved it
    told = (await client.get("/v1/me/notifications", headers=resident.headers())).json()["data"]
    assert [(n["kind"], n["subject"], n["status"], n["outcome"]) for n in told] == [
        ("report_status_changed", {"type": "report", "id": report["id"]}, "sent", "sent")]

    served = await client.get(seen["media"][0]["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert not has_gps(served.content) and exif_of(served.content) == {}
    assert b"Exif" not in served.content and b"PhoneMaker" not in served.content
