"""The multipart reader: streamed in any chunking, limits and faults as 4xx problems, and a
fingerprint that a new boundary does not change (a retried wx.uploadFile must replay)."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.conventions.problems import ProblemError
from api.conventions.uploads import FormField, UploadRule, parse_upload

RULE = UploadRule("TestUpload", max_file_bytes=1000, file_description="a file", fields={
    "kind": FormField("what it is", choices=("a", "b"), required=True),
    "note": FormField("free text"),
})


def body(boundary: str, parts: list[tuple[str, bytes, str | None]]) -> bytes:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            out += b"Content-Type: image/jpeg\r\n"
        out += b"\r\n" + value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


async def _chunks(data: bytes, size: int):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def parse(data: bytes, boundary: str = "XyZ", chunk: int = 7, rule: UploadRule = RULE):
    return asyncio.run(parse_upload(_chunks(data, chunk), f"multipart/form-data; boundary={boundary}", rule))


def code_of(data: bytes, **kwargs) -> tuple[str, list[str]]:
    with pytest.raises(ProblemError) as raised:
        parse(data, **kwargs)
    return raised.value.code, [f"{e.field}:{e.code}" for e in raised.value.errors or []]


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=1000), chunk=st.integers(1, 300),
       boundary=st.text("abcdefXYZ0123456789", min_size=8, max_size=40))
def test_any_chunking_and_boundary_read_the_same_upload(content, chunk, boundary):
    upload = parse(body(boundary, [("kind", b"a", None), ("file", content, "photo.jpg")]),
                   boundary=boundary, chunk=chunk)
    assert upload.read() == content and upload.size == len(content)
    assert upload.sha256 == hashlib.sha256(content).hexdigest()
    assert upload.fields == {"kind": "a"} and upload.filename == "photo.jpg"
    again = parse(body("other-boundary-1", [("file", content, "x.bin"), ("kind", b"a", None)]),
                  boundary="other-boundary-1")
    assert again.fingerprint() == upload.fingerprint()


def test_a_different_field_or_file_changes_the_fingerprint():
    one = parse(body("XyZ", [("kind", b"a", None), ("file", b"123", "f")]))
    assert one.fingerprint() != parse(body("XyZ", [("kind", b"b", None), ("file", b"123", "f")])).fingerprint()
    assert one.fingerprint() != parse(body("XyZ", [("kind", b"a", None), ("file", b"124", "f")])).fingerprint()


def test_faults_are_problems_naming_the_field():
    assert code_of(body("XyZ", [("kind", b"a", None)])) == ("validation_failed", ["body.file:required"])
    assert code_of(body("XyZ", [("file", b"1", "f")])) == ("validation_failed", ["body.kind:required"])
    assert code_of(body("XyZ", [("kind", b"c", None), ("file", b"1", "f")]))[1] == ["body.kind:invalid_choice"]
    assert code_of(body("XyZ", [("kind", b"a", None), ("other", b"1", None), ("file", b"1", "f")]))[1] == [
        "body.other:unknown_field"]
    assert code_of(body("XyZ", [("kind", b"a", None), ("file", b"1", "f"), ("file", b"2", "g")]))[1] == [
        "body.file:invalid_value"]
    assert code_of(body("XyZ", [("kind", b"\xff", None), ("file", b"1", "f")]))[0] == "malformed_body"
    assert code_of(body("XyZ", [("kind", b"a", None), ("note", b"n\x00", None), ("file", b"1", "f")]))[1] == [
        "body.note:nul_character"]
    assert code_of(body("XyZ", [("kind", b"a", None), ("note", b"n" * 2000, None), ("file", b"1", "f")]))[1] == [
        "body.note:invalid_value"]


def test_a_file_over_the_limit_is_413_and_a_cut_body_is_malformed():
    assert code_of(body("XyZ", [("kind", b"a", None), ("file", b"1" * 1001, "f")]))[0] == "payload_too_large"
    whole = body("XyZ", [("kind", b"a", None), ("file", b"1" * 100, "f")])
    assert code_of(whole[:-30])[0] == "malformed_body"
    assert code_of(b"not multipart at all")[0] == "malformed_body"


def test_only_multipart_with_a_boundary_is_read():
    with pytest.raises(ProblemError) as raised:
        asyncio.run(parse_upload(_chunks(b"", 1), "multipart/form-data", RULE))
    assert raised.value.code == "unsupported_media_type"
    with pytest.raises(ProblemError):
        asyncio.run(parse_upload(_chunks(b"{}", 1), "application/json", RULE))
