"""Multipart uploads, as one mechanism: accepted only on the routes that declare an
``UploadRule`` (``POST /v1/media`` and ``POST /v1/imports``), each with its own body limit.

The body is streamed: form fields are kept as text, the one ``file`` part goes to a spooled
temporary file (memory up to 1 MiB, then disk) with its size and SHA-256 computed on the way,
so a 200 MB import is never held whole in memory. Parsing is the well-kept ``multipart``
package's incremental parser (the framework's own form parsing reads the whole body first).

A keyed POST (``Idempotency-Key``) is parsed by the idempotency middleware, whose fingerprint
is the form fields plus the file's SHA-256 — a retried ``wx.uploadFile`` sends a new boundary
and must still replay — and the parsed upload is handed to the route in the ASGI scope, so
the body is read once either way."""

from __future__ import annotations

import contextlib
import hashlib
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import multipart
from litestar import Litestar, Request

from api.conventions.encoding import is_utf8
from api.conventions.problems import FieldIssue, ProblemError

UPLOAD_OPT = "upload"
_SCOPE_KEY = "bilin.upload"
_IN_MEMORY_BYTES = 1 << 20
_FIELD_BYTES = 1024           # a form field is a short text (a kind, a mode), never a payload
_FORM_OVERHEAD = 64 * 1024    # boundaries, part headers and fields beside the file
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FormField:
    description: str
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class UploadRule:
    """What one multipart route takes: the ``file`` part and the named text fields."""

    name: str                                   # the body's schema name in the contract
    max_file_bytes: int
    file_description: str
    fields: Mapping[str, FormField] = field(default_factory=dict)

    @property
    def max_body_bytes(self) -> int:
        return self.max_file_bytes + _FORM_OVERHEAD

    def schema(self) -> dict[str, Any]:
        properties: dict[str, Any] = {"file": {"type": "string", "format": "binary",
                                               "description": self.file_description}}
        for name, form_field in self.fields.items():
            properties[name] = {"type": "string", "description": form_field.description}
            if form_field.choices:
                properties[name]["enum"] = list(form_field.choices)
        required = ["file", *(name for name, f in self.fields.items() if f.required)]
        return {"type": "object", "properties": properties, "required": required,
                "additionalProperties": False}


def accepts_upload(rule: UploadRule, **opt: Any) -> dict[str, Any]:
    """Keyword arguments for a route decorator: ``@post(…, **accepts_upload(RULE))``."""
    return {"opt": {**opt, UPLOAD_OPT: rule}, "request_max_body_size": rule.max_body_bytes}


@dataclass
class Upload:
    fields: dict[str, str]
    file: IO[bytes]                 # positioned at the start
    filename: str | None
    content_type: str | None        # as the client declared it: a hint, never trusted
    size: int
    sha256: str

    def fingerprint(self) -> bytes:
        parts = [f"{name}={value}".encode() for name, value in sorted(self.fields.items())]
        return b"\n".join([*parts, b"file=" + self.sha256.encode()])

    def chunks(self, size: int = _CHUNK) -> Iterator[bytes]:
        self.file.seek(0)
        while chunk := self.file.read(size):
            yield chunk

    def read(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def close(self) -> None:
        self.file.close()


def _boundary(content_type: str) -> str:
    media_type, options = multipart.parse_options_header(content_type)
    boundary = options.get("boundary")
    if media_type.lower() != "multipart/form-data" or not boundary:
        raise ProblemError("unsupported_media_type")
    return boundary


def _field_text(name: str, raw: bytes, rule: UploadRule) -> str:
    if not is_utf8(raw):
        raise ProblemError("malformed_body", errors=[FieldIssue(f"body.{name}", "invalid_utf8")])
    text = raw.decode()
    if "\x00" in text:
        raise ProblemError("validation_failed", errors=[FieldIssue(f"body.{name}", "nul_character")])
    choices = rule.fields[name].choices
    if choices and text not in choices:
        raise ProblemError("validation_failed", errors=[
            FieldIssue(f"body.{name}", "invalid_choice", {"choices": list(choices)})])
    return text


async def parse_upload(chunks: AsyncIterator[bytes], content_type: str, rule: UploadRule) -> Upload:
    """Stream a multipart body into an ``Upload``; every fault is a 4xx problem."""
    parser = multipart.PushMultipartParser(_boundary(content_type), max_segment_count=len(rule.fields) + 2)
    # Writes go to memory or the page cache in 64 KiB steps: cheap enough to stay on the loop.
    spool = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_BYTES)  # noqa: SIM115 (handed to Upload)
    fields: dict[str, str] = {}
    digest, size = hashlib.sha256(), 0
    filename = declared_type = None
    seen_file = False
    current: str | None = None
    field_bytes = bytearray()
    try:
        async for chunk in _with_end(chunks):
            for event in parser.parse(chunk):
                if isinstance(event, multipart.MultipartSegment):
                    current = event.name
                    if current == "file":
                        if seen_file:
                            raise ProblemError("validation_failed", errors=[
                                FieldIssue("body.file", "invalid_value")])
                        seen_file, filename, declared_type = True, event.filename, event.content_type
                    elif current not in rule.fields or current in fields:
                        raise ProblemError("validation_failed", errors=[
                            FieldIssue(f"body.{current}", "unknown_field")])
                    field_bytes.clear()
                elif event is None:
                    if current != "file" and current is not None:
                        fields[current] = _field_text(current, bytes(field_bytes), rule)
                    current = None
                elif current == "file":
                    size += len(event)
                    if size > rule.max_file_bytes:
                        raise ProblemError("payload_too_large")
                    digest.update(event)
                    spool.write(event)
                else:
                    field_bytes += event
                    if len(field_bytes) > _FIELD_BYTES:
                        raise ProblemError("validation_failed", errors=[
                            FieldIssue(f"body.{current}", "invalid_value")])
    except multipart.ParserLimitReached:
        spool.close()
        raise ProblemError("validation_failed", errors=[FieldIssue("body", "invalid_value")]) from None
    except multipart.MultipartError:
        spool.close()
        raise ProblemError("malformed_body") from None
    except BaseException:
        spool.close()
        raise
    missing = [name for name, f in rule.fields.items() if f.required and name not in fields]
    if not seen_file or missing:
        spool.close()
        raise ProblemError("validation_failed", errors=[
            FieldIssue(f"body.{name}", "required") for name in (["file"] if not seen_file else []) + missing])
    spool.seek(0)
    return Upload(fields, spool, filename, declared_type, size, digest.hexdigest())


async def _with_end(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        if chunk:
            yield chunk
    yield b""  # the parser's end-of-input signal: an unfinished body is a ParserError


async def receive_chunks(receive: Any) -> AsyncIterator[bytes]:
    """The request body from the ASGI ``receive`` channel."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ProblemError("malformed_body")
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


def keep_for_route(scope: dict, upload: Upload) -> None:
    scope[_SCOPE_KEY] = upload


@contextlib.asynccontextmanager
async def read_upload(request: Request) -> AsyncIterator[Upload]:
    """The route's upload (already parsed when the request was keyed), closed afterwards."""
    rule: UploadRule = request.route_handler.opt[UPLOAD_OPT]
    upload = request.scope.get(_SCOPE_KEY)  # type: ignore[call-overload]
    if upload is None:
        upload = await parse_upload(request.stream(), request.headers.get("content-type", ""), rule)
    try:
        yield upload
    finally:
        upload.close()


def upload_body_limits(app: Litestar, default: int) -> Callable[[str, str], int]:
    """(method, path) → the largest body the edge lets in: the upload routes' own limits."""
    patterns = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            rule = handler.opt.get(UPLOAD_OPT)
            if isinstance(rule, UploadRule):
                pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(route.path_format)) + "$")
                patterns.extend((method, pattern, rule.max_body_bytes) for method in handler.http_methods)

    def limit(method: str, path: str) -> int:
        return next((size for m, pattern, size in patterns if m == method and pattern.match(path)), default)

    return limit
