"""Request bodies: JSON only (415 otherwise; the token endpoint also takes the OAuth form, and
the upload routes take multipart only — see uploads.py),
decoded strictly against the route's body type so a wrong type is a 400 and never coerced
(the framework's own conversion is lenient: it would read ``"votes": 0`` as false)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import msgspec
from litestar import Request

from api.conventions.encoding import UTF8_CHARSETS, declared_charset, form_field_with_bad_text, is_utf8
from api.conventions.problems import FieldIssue, ProblemError, field_error_from
from api.conventions.uploads import UPLOAD_OPT

_FORM_TYPE = "application/x-www-form-urlencoded"
_MULTIPART_TYPE = "multipart/form-data"
# A JSON \u0000 escape: preceded by an even number of backslashes (an escaped backslash
# followed by the text "u0000" is not a NUL).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json"))


@lru_cache(maxsize=256)
def _decoder(body_type: Any) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(body_type, strict=True)


async def check_request_body(request: Request) -> None:
    """A before-request hook on every route."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    has_body = request.headers.get("content-length", "0") not in ("", "0") or (
        "transfer-encoding" in request.headers)
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if not has_body:
        return
    if request.route_handler.opt.get(UPLOAD_OPT) is not None:
        if media_type != _MULTIPART_TYPE:  # read by the route itself, streamed (uploads.py)
            raise ProblemError("unsupported_media_type")
        return
    # JSON is UTF-8 only (RFC 8259 §8.1): another declared charset is a media type not served.
    charset = declared_charset(content_type)
    if charset is not None and charset not in UTF8_CHARSETS:
        raise ProblemError("unsupported_media_type")
    if not _is_json(media_type):
        if media_type == _FORM_TYPE and request.route_handler.opt.get("accepts_form"):
            bad = form_field_with_bad_text(await request.body())
            if bad is not None:
                raise ProblemError("malformed_body", errors=[
                    FieldIssue(f"body.{bad}" if bad else "body", "invalid_utf8")])
            return
        raise ProblemError("unsupported_media_type")
    body = await request.body()
    if not is_utf8(body):  # msgspec would raise UnicodeDecodeError deep inside a string
        raise ProblemError("malformed_body", errors=[FieldIssue("body", "invalid_utf8")])
    data_field = request.route_handler.parsed_data_field
    if data_field is None:
        return
    if _JSON_NUL.search(body):
        # PostgreSQL text cannot hold NUL: refuse it in any string, whatever the field.
        raise ProblemError("validation_failed", errors=[FieldIssue("body", "nul_character")])
    try:
        _decoder(data_field.annotation).decode(body)
    except msgspec.ValidationError as error:
        if not _integral_floats_fit(body, data_field.annotation):
            raise ProblemError("validation_failed", errors=[field_error_from(str(error))]) from None
    except (msgspec.DecodeError, RecursionError):
        raise ProblemError("malformed_body") from None


def _integral_floats_fit(body: bytes, body_type: Any) -> bool:
    """JSON Schema counts 39.0 as an integer; strict decoding does not. Accept a body whose
    only fault is an integral float where an integer is due."""
    def integral(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, list):
            return [integral(v) for v in value]
        if isinstance(value, dict):
            return {k: integral(v) for k, v in value.items()}
        return value

    try:
        msgspec.convert(integral(msgspec.json.decode(body)), body_type, strict=True)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return False
    return True
