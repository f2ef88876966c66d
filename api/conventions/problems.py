"""RFC 9457 problem details: the one shape of every 4xx/5xx answer.

``ProblemError`` is what the API layer raises; domain errors and framework exceptions are
translated here, in one handler, so no route formats an error itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from api.conventions import catalogue
from api.conventions.i18n import negotiate
from domain import errors as domain_errors
from store.db import UNAVAILABLE_ERRORS

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger("bilin.problems")


class FieldError(msgspec.Struct):
    field: str
    message: str
    code: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, with Bilin's stable ``code`` and the ``request_id``."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    request_id: str
    errors: list[FieldError] | None = None


@dataclass(frozen=True)
class FieldIssue:
    """A field error before localisation: rendered as a FieldError in the caller's language."""

    field: str
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)
    message: str | None = None  # used as is when the catalogue has no message for the code

    def localised(self, language: str) -> FieldError:
        if self.message and self.code == "invalid_value" and language == "en":
            return FieldError(field=self.field, message=self.message, code=self.code)
        return FieldError(field=self.field, code=self.code,
                          message=catalogue.field_message(self.code, language, self.params))


class ProblemError(Exception):
    def __init__(self, code: str, *, detail: str | None = None,
                 errors: list[FieldIssue | FieldError] | None = None,
                 headers: dict[str, str] | None = None, params: dict[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.params = params or {}


_DOMAIN_STATUS = {
    domain_errors.NotFound: "not_found",
    domain_errors.Forbidden: "not_allowed",
    domain_errors.Conflict: "already_exists",
    domain_errors.RuleViolation: "validation_failed",
}


def render(code: str, *, language: str, request_id: str, instance: str, detail: str | None = None,
           errors: list[FieldError] | None = None, status: int | None = None) -> bytes:
    kind = catalogue.PROBLEMS.get(code) or catalogue.PROBLEMS["internal_error"]
    title = kind.en if language == "en" else kind.zh
    return msgspec.json.encode(Problem(
        type=f"/problems/{code}", title=title, status=status or kind.status, detail=detail or title,
        instance=instance, code=code, request_id=request_id, errors=errors,
    ))


def status_of(code: str) -> int:
    return (catalogue.PROBLEMS.get(code) or catalogue.PROBLEMS["internal_error"]).status


def request_language(headers: Any) -> str:
    return negotiate(headers.get("accept-language"))


# Patterns whose violation has a field message of its own (code → catalogue.FIELD_MESSAGES),
# registered by the field types that use them; msgspec quotes a pattern with repr().
PATTERN_CODES: dict[str, str] = {}

# msgspec: "Expected `int` >= 1", "Expected `str` of length <= 100, got `int`"
_EXPECTED = re.compile(r"Expected `(?P<expected>[^`]+)`(?P<rest>(?:(?!, got| - at).)*)")


def _field_issue(item: dict[str, Any]) -> FieldIssue:
    """Translate one framework/msgspec validation message into a field issue."""
    message = str(item.get("message", ""))
    source = item.get("source") or "body"
    source = str(getattr(source, "value", source))  # the framework may give a ParamType enum
    key = str(item.get("key") or "").removeprefix("$.").removeprefix("$")
    if source == "body" and (key == "data" or key.startswith("data.")):
        key = key.removeprefix("data").removeprefix(".")  # the framework names the body "data"
    params: dict[str, Any] = {}
    if "missing required field" in message:
        missing = re.search(r"`([^`]+)`", message)
        key = ".".join(filter(None, [key, missing.group(1) if missing else ""]))
        code = "required"
    elif "unknown field" in message:
        unknown = re.search(r"`([^`]+)`", message)
        key = ".".join(filter(None, [key, unknown.group(1) if unknown else ""]))
        code = "unknown_field"
    elif match := _EXPECTED.search(message):
        constraint = match["rest"].strip()
        code = "constraint_violated" if constraint else "wrong_type"
        params = {"expected": f"{match['expected']} {constraint}".strip()}
        code = next((own for pattern, own in PATTERN_CODES.items() if repr(pattern) in constraint), code)
    else:
        code = "invalid_value"
    field = f"{source}.{key}" if key else str(source)
    return FieldIssue(field=field, code=code, params=params, message=message)


def field_error_from(message: str, source: str = "body") -> FieldIssue:
    """A field issue from a msgspec message such as "Expected `bool`, got `int` - at `$.votes`"."""
    text, _, where = message.partition(" - at `")
    return _field_issue({"message": text, "key": where.rstrip("`"), "source": source})


def problem_for(exc: BaseException, language: str) -> ProblemError:
    """Translate any exception into the problem a client may see."""
    if isinstance(exc, ProblemError):
        return exc
    if isinstance(exc, domain_errors.InvalidInput):
        params = {k: v for k, v in exc.params.items() if k != "field"}
        return ProblemError("validation_failed",
                            errors=[FieldIssue(field=exc.field_path, code=exc.code, params=params)])
    if isinstance(exc, domain_errors.DomainError):
        code = exc.code if exc.code in catalogue.PROBLEMS else _DOMAIN_STATUS.get(type(exc), "internal_error")
        # An outside service that is down or busy says when to come back (integrations/).
        retry_after = exc.params.get("retry_after")
        return ProblemError(code, params=exc.params, detail=exc.params.get("detail"),
                            headers={"Retry-After": str(retry_after)} if retry_after else None)
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        errors = [_field_issue(item) for item in extra if isinstance(item, dict)]
        if not errors and "JSON" in str(exc.detail):
            return ProblemError("malformed_body")
        return ProblemError("validation_failed", errors=errors or None)
    if isinstance(exc, HTTPException):
        code = {
            400: "malformed_body", 401: "unauthenticated", 403: "not_allowed", 404: "not_found",
            405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
            429: "rate_limited",
        }.get(exc.status_code, "internal_error" if exc.status_code >= 500 else "malformed_body")
        return ProblemError(code, headers=dict(exc.headers or {}))
    if isinstance(exc, RecursionError):  # JSON nested deeper than the decoder follows
        return ProblemError("malformed_body")
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return ProblemError("service_unavailable", headers={"Retry-After": "5"})
    return ProblemError("internal_error")


def handle_exception(request: Request, exc: Exception) -> Response:
    """The application's single exception handler."""
    language = request_language(request.headers)
    problem = problem_for(exc, language)
    request_id = request.scope.get("state", {}).get("request_id", "")
    if problem.code == "internal_error":
        log.error("unhandled_error", exc_info=exc)
    elif problem.code == "service_unavailable":
        log.warning("dependency_unavailable", error=type(exc).__name__)
    errors = [
        e.localised(language) if isinstance(e, FieldIssue) else
        FieldError(field=e.field, code=e.code, message=e.message or catalogue.field_message(e.code, language, {}))
        for e in problem.errors
    ] if problem.errors else None
    body = render(problem.code, language=language, request_id=request_id,
                  instance=request.url.path, detail=problem.detail, errors=errors)
    return Response(content=body, status_code=status_of(problem.code), media_type=PROBLEM_MEDIA_TYPE,
                    headers=problem.headers)
