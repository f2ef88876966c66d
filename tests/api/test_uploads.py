"""Multipart through the whole stack, on a route that declares an UploadRule: the edge lets
its larger body in (and no other route's), a keyed retry with a new boundary replays, a JSON
body is refused there and multipart everywhere else."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from litestar import Request, post
from litestar.testing import AsyncTestClient

import api.app
from api.conventions.uploads import FormField, UploadRule, accepts_upload, read_upload
from domain.permissions import Principal
from service.settings import Settings
from tests.support.platform import Platform

RULE = UploadRule("EchoUpload", max_file_bytes=3 * 1024 * 1024, file_description="any bytes",
                  fields={"kind": FormField("a word", required=True)})


@post("/v1/echo-uploads", operation_id="echoUpload", status_code=201, **accepts_upload(RULE))
async def echo_upload(request: Request, principal: Principal) -> dict:
    async with read_upload(request) as upload:
        return {"run": uuid.uuid4().hex, "size": upload.size, "sha256": upload.sha256, "fields": upload.fields}


@pytest.fixture(scope="module")
async def upload_client(test_settings: Settings, monkeypatch_module) -> AsyncIterator[AsyncTestClient]:
    monkeypatch_module.setattr(api.app, "ROUTES", [*api.app.ROUTES, echo_upload])
    async with AsyncTestClient(app=api.app.create_app(test_settings), base_url="http://bilin.test") as client:
        yield client


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def multipart(boundary: str, kind: str, content: bytes) -> tuple[bytes, dict[str, str]]:
    data = (f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return data, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


async def test_a_keyed_retry_with_a_new_boundary_replays(upload_client: AsyncTestClient, platform: Platform):
    content = bytes(range(256)) * 8000  # 2 MB: over the default JSON limit, under the route's
    body, headers = multipart("first-boundary", "photo", content)
    first = await upload_client.post("/v1/echo-uploads", content=body,
                                     headers=platform.headers(**headers, **{"Idempotency-Key": "up-1"}))
    assert first.status_code == 201, first.text
    assert first.json()["size"] == len(content) and first.json()["fields"] == {"kind": "photo"}
    body, headers = multipart("second-boundary-xyz", "photo", content)
    again = await upload_client.post("/v1/echo-uploads", content=body,
                                     headers=platform.headers(**headers, **{"Idempotency-Key": "up-1"}))
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
    body, headers = multipart("third", "other", content)
    reused = await upload_client.post("/v1/echo-uploads", content=body,
                                      headers=platform.headers(**headers, **{"Idempotency-Key": "up-1"}))
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    unkeyed = await upload_client.post("/v1/echo-uploads", content=body, headers=platform.headers(**headers))
    assert unkeyed.status_code == 201 and unkeyed.json()["run"] != first.json()["run"]


async def test_limits_and_media_types_hold_per_route(upload_client: AsyncTestClient, platform: Platform):
    body, headers = multipart("b", "photo", b"x" * (3 * 1024 * 1024 + 1))
    too_big = await upload_client.post("/v1/echo-uploads", content=body, headers=platform.headers(**headers))
    assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
    json_there = await upload_client.post("/v1/echo-uploads", json={"kind": "photo"}, headers=platform.headers())
    assert json_there.status_code == 415
    body, headers = multipart("b", "photo", b"123")
    elsewhere = await upload_client.post("/v1/communities", content=body, headers=platform.headers(**headers))
    assert elsewhere.status_code == 415
    big, headers = multipart("b", "photo", b"x" * (2 * 1024 * 1024))
    elsewhere_big = await upload_client.post("/v1/communities", content=big, headers=platform.headers(**headers))
    assert elsewhere_big.status_code == 413  # the raised limit is the upload route's alone
    missing = await upload_client.post("/v1/echo-uploads", content=body.replace(b'name="kind"', b'name="kinds"'),
                                       headers=platform.headers(**headers))
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "body.kinds"


async def test_the_contract_shows_the_multipart_body(upload_client: AsyncTestClient):
    document = (await upload_client.get("/schema/openapi.json")).json()
    operation = document["paths"]["/v1/echo-uploads"]["post"]
    assert list(operation["requestBody"]["content"]) == ["multipart/form-data"]
    schema = document["components"]["schemas"]["EchoUpload"]
    assert schema["properties"]["file"]["format"] == "binary" and schema["required"] == ["file", "kind"]
