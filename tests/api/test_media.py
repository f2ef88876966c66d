"""Photos by HTTP (integrations.md §B) against both storages — the local directory the API
serves itself, and a real S3-compatible server on loopback (moto): what is served at the
returned URL has no EXIF, bad uploads are 4xx, a keyed retry with a new boundary replays,
media_ids on reports and progress notes come back as signed URLs, someone else's photo is
refused, and orphans are swept a day later by business time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from integrations.s3 import S3Settings, S3Storage
from tests.support.clock import business_now, clock  # noqa: F401 (a fixture)
from tests.support.photos import bomb, exif_of, has_gps, heic, jpeg_with_gps, s3_server
from tests.support.tasks import company
from tests.support.town import build_town
from usecases.clock import BusinessClock
from usecases.media_jobs import sweep_orphans
from worker import maintenance

# The sweep test moves the global test clock, and a sweep removes any unattached photo a day
# old by it: every test here runs in the clock's group, never beside an upload elsewhere.
pytestmark = pytest.mark.xdist_group("clock")


@pytest.fixture(scope="module")
def s3() -> Iterator:
    with s3_server() as settings:
        yield settings


@pytest.fixture(params=["local", "s3"])
async def storage(request, client, s3) -> AsyncIterator[str]:
    """Each test once per storage: the API's storage swapped for the S3 one, and back."""
    services = client.app.state.services
    kept = services.storage
    if request.param == "s3":
        services.storage = S3Storage(s3)
    yield request.param
    services.storage = kept


@pytest.fixture
async def town(db, test_settings, platform):
    return await build_town(db, test_settings, platform)


def form(content: bytes, boundary: str = "bilin-photo", filename: str = "IMG_0001.jpg",
         declared: str = "image/jpeg") -> tuple[bytes, dict[str, str]]:
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {declared}\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


async def upload(client, person, content: bytes, **extra):
    body, headers = form(content, **{k: v for k, v in extra.items() if k in ("boundary", "filename", "declared")})
    more = {k: v for k, v in extra.items() if k not in ("boundary", "filename", "declared")}
    return await client.post("/v1/media", content=body, headers=person.headers(**headers, **more))


async def fetch(client, url: str) -> httpx.Response:
    """What a mini-program would load: the API's own route, or the object store directly."""
    if url.startswith("/"):
        return await client.get(url)
    async with httpx.AsyncClient() as outside:
        return await outside.get(url)


async def test_a_gps_tag_is_gone_from_what_the_url_serves(client, town, storage, s3):
    head = town.people["head"]
    created = await upload(client, head, jpeg_with_gps(64, 48, orientation=6))
    assert created.status_code == 201, created.text
    photo = created.json()
    served_by = s3.endpoint + f"/{s3.bucket}/media/" if storage == "s3" else "/v1/media/"
    assert photo["url"].startswith(served_by + photo["id"])
    assert photo["id"].startswith("med_") and created.headers["location"] == f"/v1/media/{photo['id']}"
    assert (photo["content_type"], photo["width"], photo["height"]) == ("image/jpeg", 48, 64)
    served = await fetch(client, photo["url"])
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/jpeg")
    assert len(served.content) == photo["bytes"]
    assert not has_gps(served.content) and exif_of(served.content) == {} and b"PhoneMaker" not in served.content
    again = await client.get(f"/v1/media/{photo['id']}", headers=head.headers())
    assert again.json()["url"] == photo["url"]  # the same URL all hour, so ETags hold
    assert (await client.get(f"/v1/media/{photo['id']}", headers=town.people["tenant"].headers())).status_code == 404


async def test_heic_is_stored_as_jpeg(client, town, storage):
    content = heic()
    if content is None:
        pytest.skip("this pillow-heif build cannot encode HEIC")
    created = await upload(client, town.people["head"], content, filename="IMG_0002.HEIC", declared="image/heic")
    assert created.status_code == 201 and created.json()["content_type"] == "image/jpeg", created.text
    served = await fetch(client, created.json()["url"])
    assert served.content.startswith(b"\xff\xd8") and not has_gps(served.content)


async def test_a_local_url_holds_only_as_signed(client, town):
    photo = (await upload(client, town.people["head"], jpeg_with_gps())).json()
    assert photo["url"].startswith("/v1/media/")
    forged = photo["url"][:-1] + ("0" if photo["url"][-1] != "0" else "1")
    assert (await client.get(forged)).status_code == 404
    later = photo["url"].replace("expires=", "expires=1")  # a longer life is another signature
    assert (await client.get(later)).status_code in (400, 404)


@pytest.mark.parametrize("name,content,code,status", [
    ("empty", b"", "media_empty", 422),
    ("not an image", b"%PDF-1.4 not a photo", "media_unsupported_type", 415),
    ("truncated", jpeg_with_gps(400, 300)[:2500], "media_damaged", 422),
    ("bomb", bomb(), "media_too_many_pixels", 422),
    ("too large", b"\xff\xd8\xff" + bytes(10 * 1024 * 1024), "payload_too_large", 413),
])
async def test_bad_uploads_are_4xx(client, town, name, content, code, status):
    refused = await upload(client, town.people["head"], content)
    assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text


async def test_storage_away_is_a_503_and_keeps_nothing(client, town, db, s3):
    head = town.people["head"]
    services = client.app.state.services
    kept = services.storage
    services.storage = S3Storage(S3Settings(bucket=s3.bucket, endpoint="http://127.0.0.1:9", region=s3.region,
                                            access_key=s3.access_key, secret_key=s3.secret_key))
    try:
        refused = await upload(client, head, jpeg_with_gps())
    finally:
        services.storage = kept
    assert refused.status_code == 503 and refused.json()["code"] == "media_storage_unavailable", refused.text
    assert refused.headers["retry-after"] == "5"
    assert await db.fetchval("SELECT count(*) FROM media WHERE owner_id = $1", head.person_id) == 0


async def test_platform_clients_do_not_upload(client, platform):
    refused = await upload(client, platform, jpeg_with_gps())
    assert refused.status_code == 403 and refused.json()["code"] == "person_required"


async def test_a_keyed_retry_with_a_new_boundary_replays(client, town, db):
    head = town.people["head"]
    content = jpeg_with_gps()
    first = await upload(client, head, content, boundary="wx-first", **{"Idempotency-Key": "photo-retry-1"})
    again = await upload(client, head, content, boundary="wx-second-boundary", **{"Idempotency-Key": "photo-retry-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
    assert await db.fetchval("SELECT count(*) FROM media WHERE owner_id = $1", head.person_id) == 1


async def test_media_ids_on_a_report_and_a_progress_note_are_signed_urls(client, town, db, test_settings, storage):
    head, leader, tenant = town.people["head"], town.people["leader"], town.people["tenant"]
    mine = (await upload(client, head, jpeg_with_gps())).json()
    theirs = (await upload(client, tenant, jpeg_with_gps())).json()

    refused = await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(), json={
        "category": "facilities", "description": "楼道灯坏了", "media_ids": [mine["id"], theirs["id"]]})
    assert refused.status_code == 422 and refused.json()["code"] == "media_not_attachable"
    assert refused.json()["errors"][0]["field"] == "media_ids[1]"
    unknown = await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(), json={
        "category": "facilities", "description": "楼道灯坏了", "media_ids": ["med_0000000000000000"]})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "media_ids[0]"

    created = await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(), json={
        "category": "facilities", "description": "楼道灯坏了", "media_ids": [mine["id"]],
        "photo_urls": ["https://img.example.cn/a.jpg"]})
    assert created.status_code == 201, created.text
    report = created.json()
    assert report["photo_urls"] == ["https://img.example.cn/a.jpg"]
    assert report["media"] == [{"id": mine["id"], "url": mine["url"]}]
    seen = await client.get(f"/v1/reports/{report['id']}", headers=leader.headers())
    assert seen.json()["media"] == report["media"]
    repeat = await client.get(f"/v1/reports/{report['id']}", headers=leader.headers(
        **{"If-None-Match": seen.headers["etag"]}))
    assert repeat.status_code == 304  # the signed URL is the same within the hour
    assert not has_gps((await fetch(client, report["media"][0]["url"])).content)
    assert await db.fetchval("SELECT attached_at IS NOT NULL FROM media WHERE id = $1", mine["id"])

    org_id, worker = await company(db, test_settings, town)
    task = (await client.post(f"/v1/reports/{report['id']}/tasks", headers=leader.headers(),
                              json={"assignee": {"type": "organization", "id": org_id}})).json()
    shot = (await upload(client, worker, jpeg_with_gps())).json()
    stolen = await client.post(f"/v1/tasks/{task['id']}/updates", headers=worker.headers(),
                               json={"note": "已更换", "media_ids": [theirs["id"]]})
    assert stolen.status_code == 422 and stolen.json()["errors"][0]["field"] == "media_ids[0]"
    noted = await client.post(f"/v1/tasks/{task['id']}/updates", headers=worker.headers(),
                              json={"note": "已更换", "media_ids": [shot["id"]]})
    assert noted.status_code == 201, noted.text
    assert noted.json()["media"] == [{"id": shot["id"], "url": shot["url"]}]
    listed = (await client.get(f"/v1/tasks/{task['id']}/updates", headers=leader.headers())).json()["data"]
    assert listed[0]["media"][0]["url"] == shot["url"]
    assert (await fetch(client, shot["url"])).status_code == 200


@pytest.mark.usefixtures("clock")
async def test_orphans_are_swept_a_day_after_upload(client, town, db, storage):
    head = town.people["head"]
    services = client.app.state.services
    orphan = (await upload(client, head, jpeg_with_gps())).json()
    kept = (await upload(client, head, jpeg_with_gps())).json()
    report = await client.post(f"/v1/buildings/{town.building}/reports", headers=head.headers(), json={
        "category": "facilities", "description": "灯坏了", "media_ids": [kept["id"]]})
    assert report.status_code == 201
    async with db.acquire() as conn:
        await sweep_orphans(conn, services.storage, await business_now(db))
    assert await db.fetchval("SELECT count(*) FROM media WHERE id = $1", orphan["id"]) == 1  # not a day yet
    advanced = await client.post("/v1/test-clock", json={"advance_seconds": 25 * 3600})
    assert advanced.status_code == 200, advanced.text
    async with db.acquire() as conn:
        removed = 0
        while swept := await sweep_orphans(conn, services.storage, await business_now(db)):
            removed += swept
    assert removed >= 1
    assert await db.fetchval("SELECT count(*) FROM media WHERE id = $1", orphan["id"]) == 0
    assert await services.storage.get(f"media/{orphan['id']}") is None
    assert await db.fetchval("SELECT count(*) FROM media WHERE id = $1", kept["id"]) == 1
    assert await services.storage.get(f"media/{kept['id']}") is not None


@pytest.mark.usefixtures("clock")
async def test_erasure_takes_the_photos_of_the_persons_reports_with_it(client, town, db):
    head, neighbour = town.people["head"], town.people["leader"]
    storage = client.app.state.services.storage
    theirs = (await upload(client, head, jpeg_with_gps())).json()
    other = (await upload(client, neighbour, jpeg_with_gps())).json()
    for who, photo in ((head, theirs), (neighbour, other)):
        report = await client.post(f"/v1/buildings/{town.building}/reports", headers=who.headers(), json={
            "category": "facilities", "description": "灯坏了", "media_ids": [photo["id"]]})
        assert report.status_code == 201, report.text
    assert (await client.delete("/v1/me", headers=head.headers())).status_code == 204
    assert await db.fetchval("SELECT count(*) FROM reports WHERE $1 = ANY (media_ids)", theirs["id"]) == 0
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 86400 + 60})).status_code == 200
    async with db.acquire() as conn:
        while await sweep_orphans(conn, storage, await business_now(db)):
            pass
    assert await db.fetchval("SELECT count(*) FROM media WHERE id = $1", theirs["id"]) == 0
    assert await storage.get(f"media/{theirs['id']}") is None
    assert await storage.get(f"media/{other['id']}") is not None  # a neighbour's photo stays


@pytest.mark.usefixtures("clock")
async def test_the_worker_loop_sweeps_by_business_time(client, town, db, monkeypatch):
    storage = client.app.state.services.storage
    orphan = (await upload(client, town.people["head"], jpeg_with_gps())).json()
    stopping = asyncio.Event()

    async def one_pass(event: asyncio.Event, seconds: float) -> None:
        event.set()  # the loop's wait between passes ends the loop after its first pass

    monkeypatch.setattr(maintenance, "pause", one_pass)
    await maintenance.media_sweep_loop(db, BusinessClock(enabled=True, ttl=0), storage, stopping)
    assert await db.fetchval("SELECT count(*) FROM media WHERE id = $1", orphan["id"]) == 1
    assert (await client.post("/v1/test-clock", json={"advance_seconds": 86400 + 60})).status_code == 200
    await maintenance.media_sweep_loop(db, BusinessClock(enabled=True, ttl=0), storage, asyncio.Event())
    assert await db.fetchval("SELECT count(*) FROM media WHERE id = $1", orphan["id"]) == 0
    assert await storage.get(f"media/{orphan['id']}") is None
