"""Requests as raw bytes on a socket to the service as a real process: what an HTTP client
library would refuse to send (bytes that are not UTF-8 in a header, a body cut short, a huge
declared length with no body behind it)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.platform import Platform, new_street_client, sign_in
from tests.support.server import running_service

pytestmark = pytest.mark.xdist_group("wire")


@pytest.fixture(scope="module")
def service(database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log_path = tmp_path_factory.mktemp("wire") / "service.log"
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "BILIN_LOG_LEVEL": "info"}
    with running_service(env, log_path=log_path) as url:
        yield url, log_path


@pytest.fixture
async def signed_in(service: tuple[str, Path], database_url: str) -> Platform:
    async with httpx.AsyncClient(base_url=service[0], timeout=10) as http:
        return await sign_in(http, await new_street_client(database_url))


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def _request_head(method: str, path: str, headers: dict[str, bytes | str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1"]
    lines += [name.encode() + b": " + (value if isinstance(value, bytes) else value.encode())
              for name, value in headers.items()]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _read_response(sock: socket.socket) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _log_lines(log_path: Path) -> list[dict]:
    lines = []
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            lines.append({"raw": line})
    return lines


@pytest.mark.parametrize("bad", [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80"])
async def test_invalid_utf8_in_a_header_value_is_400(service, signed_in, bad):
    with _connect(service[0]) as sock:
        sock.sendall(_request_head("GET", "/v1/communities", {
            "Authorization": f"Bearer {signed_in.token}", "If-None-Match": b'"a' + bad + b'b"'}))
        response = _read_response(sock)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), response
    assert b"application/problem+json" in head
    problem = json.loads(body)
    assert problem["code"] == "malformed_body"
    assert problem["errors"][0]["field"] == "header.if-none-match"


@pytest.mark.parametrize("keyed", [False, True])
async def test_a_client_leaving_mid_body_is_not_an_error(service, signed_in, keyed):
    url, log_path = service
    marker = f"req-leaves-{'keyed' if keyed else 'plain'}-{time.monotonic_ns()}"
    headers: dict[str, bytes | str] = {
        "Authorization": f"Bearer {signed_in.token}", "Content-Type": "application/json",
        "Content-Length": "1000", "X-Request-Id": marker}
    if keyed:
        headers["Idempotency-Key"] = marker
    with _connect(url) as sock:
        sock.sendall(_request_head("POST", "/v1/communities", headers) + b'{"name": "')
    deadline = time.monotonic() + 5
    while not (mine := [line for line in _log_lines(log_path) if line.get("request_id") == marker
                        and line.get("event") == "request"]) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    lines = [line for line in _log_lines(log_path) if line.get("request_id") == marker]
    assert mine, f"no access-log line for the request: {lines}"
    assert mine[0]["status"] == 499, lines
    assert not [line for line in lines if line.get("level") in ("error", "critical", "warning")], lines
    assert [line for line in lines if line.get("event") == "client_disconnected"], lines
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        exposition = (await http.get("/metrics")).text
    assert not [line for line in exposition.splitlines()
                if 'route="/v1/communities"' in line and 'status="500"' in line]


@pytest.mark.parametrize("keyed", [False, True])
async def test_a_declared_length_over_the_limit_is_413_before_the_body(service, signed_in, keyed):
    headers: dict[str, bytes | str] = {
        "Authorization": f"Bearer {signed_in.token}", "Content-Type": "application/json",
        "Content-Length": str(10**12)}
    if keyed:
        headers["Idempotency-Key"] = f"huge-{time.monotonic_ns()}"
    with _connect(service[0]) as sock:
        sock.settimeout(2)  # the answer comes at once, not after a body that is never sent
        sock.sendall(_request_head("POST", "/v1/communities", headers))
        started = time.monotonic()
        response = _read_response(sock)
    assert response.startswith(b"HTTP/1.1 413"), response
    assert time.monotonic() - started < 2
    problem = json.loads(response.partition(b"\r\n\r\n")[2])
    assert problem["code"] == "payload_too_large"
