"""A resident's journey with a photo (issue 14, "Done when"): a photo of a broken light with
the phone's GPS position in its EXIF is uploaded as wx.uploadFile sends it, a problem is
reported with it, the building's leader turns the report into a task, and the photo everyone
is shown has no EXIF at all."""

from __future__ import annotations

import pytest

from tests.support.photos import exif_of, has_gps, jpeg_with_gps
from tests.support.town import build_town

pytestmark = pytest.mark.xdist_group("clock")  # beside the orphan sweep's clock moves, never concurrently


async def test_a_resident_reports_a_problem_with_a_photo_and_its_position_is_never_published(
        client, db, test_settings, platform):
    town = await build_town(db, test_settings, platform)
    resident, leader = town.people["head"], town.people["leader"]
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

    served = await client.get(seen["media"][0]["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert not has_gps(served.content) and exif_of(served.content) == {}
    assert b"Exif" not in served.content and b"PhoneMaker" not in served.content
