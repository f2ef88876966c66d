"""RFC 9457 problem details: the one shape of every 4xx/5xx answer.

``ProblemError`` is what the API layer raises; domain errors and framework exceptions are
translated here, in one handler, so no route formats an error itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from api.conventions import catalogue, validation_messages
from api.conventions.i18n import negotiate
from domain import errors as domain_errors
from store.db import UNAVAILABLE_ERRORS

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger("bilin.problems")


class FieldError(msgspec.Struct):
    field: str
    message: str
    code: str


class ClashingRange(msgspec.Struct):
    start_at: str
    end_at: str


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
    # booking_conflict: the booking the request clashed with (RFC 3339, UTC), for programs;
    # the detail names the same range in the space's local time, for people.
    clashing_range: ClashingRange | None = None
    # content_rejected: WeChat's label for the risky text (msgSecCheck's result.label).
    label: int | None = None


@dataclass(frozen=True)
class FieldIssue:
    """A field error before localisation: rendered as a FieldError in the caller's language."""

    field: str
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)
    message: str | None = None  # the framework's own words, for debugging; clients see the catalogue's

    def localised(self, language: str) -> FieldError:
        params = validation_messages.localised_params(self.code, self.params, language)
        return FieldError(field=self.field, code=self.code,
                          message=catalogue.field_message(self.code, language, params))


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
           errors: list[FieldError] | None = None, status: int | None = None,
           params: dict[str, Any] | None = None) -> bytes:
    kind = catalogue.PROBLEMS.get(code) or catalogue.PROBLEMS["internal_error"]
    if code not in catalogue.PROBLEMS:
        code = "internal_error"
    title = kind.en if language == "en" else kind.zh
    return msgspec.json.encode(Problem(
        type=f"/problems/{code}", title=title, status=status or kind.status,
        detail=detail or catalogue.detail(code, language, detail_params(params or {}, language)),
        instance=instance, code=code, request_id=request_id, errors=errors,
        clashing_range=_clashing_range(params or {}),
        label=(params or {}).get("label") if code == "content_rejected" else None,
    ))


def _clashing_range(params: dict[str, Any]) -> ClashingRange | None:
    if isinstance(params.get("start_at"), str) and isinstance(params.get("end_at"), str):
        return ClashingRange(start_at=params["start_at"], end_at=params["end_at"])
    return None


def detail_params(params: dict[str, Any], language: str) -> dict[str, Any]:
    """Parameters as a person reads them: a range in the local time of its zone, states in words."""
    shown = dict(params)
    zone_name = params.get("timezone")
    if zone_name and params.get("start_at") and params.get("end_at"):
        try:
            zone = ZoneInfo(zone_name)
            start = datetime.fromisoformat(params["start_at"]).astimezone(zone)
            end = datetime.fromisoformat(params["end_at"]).astimezone(zone)
        except (ValueError, KeyError, ZoneInfoNotFoundError):
            return shown
        day = "%Y-%m-%d %H:%M"
        shown["start_local"] = start.strftime(day)
        shown["end_local"] = end.strftime("%H:%M" if end.date() == start.date() else day)
        offset = start.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}"
        if language == "en":
            shown["zone"] = f"{zone_name}, UTC{offset}"
        else:
            shown["zone"] = catalogue.ZONE_NAMES.get(zone_name, f"时区 {zone_name}，{offset}")
    if language != "en":
        shown.update({key: catalogue.STATE_WORDS.get(value, value) for key, value in params.items()
                      if key in ("database", "redis") and isinstance(value, str)})
    return shown


def parameter_wire_names(request: Request) -> dict[str, str]:
    """The route's parameters by Python name -> the name on the wire (``from_`` -> ``from``)."""
    try:
        parameters = request.route_handler.parsed_fn_signature.parameters
    except Exception:  # noqa: BLE001 - before routing (an unknown path) there is no handler
        return {}
    names = {}
    for name, definition in parameters.items():
        kwarg = getattr(definition, "kwarg_definition", None)
        alias = next((a for a in (getattr(kwarg, "query", None), getattr(kwarg, "header", None),
                                  getattr(kwarg, "cookie", None)) if a), None)
        if alias:
            names[name] = alias
    return names


_STATUS_CODES = {
    400: "malformed_body", 401: "unauthenticated", 403: "not_allowed", 404: "not_found",
    405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
    429: "rate_limited", 503: "service_unavailable",
}


def code_for_status(status: int) -> str:
    """The problem code of an error known only by its status (the framework's own errors)."""
    return _STATUS_CODES.get(status, "internal_error" if status >= 500 else "malformed_body")


def status_of(code: str) -> int:
    return (catalogue.PROBLEMS.get(code) or catalogue.PROBLEMS["internal_error"]).status


def request_language(headers: Any) -> str:
    return negotiate(headers.get("accept-language"))


# Patterns whose violation has a field message of its own (code → catalogue.FIELD_MESSAGES),
# registered by the field types that use them.
PATTERN_CODES: dict[str, str] = {}


def _own_code(params: dict[str, Any]) -> str | None:
    """A registered pattern's own code; msgspec quotes a pattern with repr()."""
    if params.get("kind") != "format":
        return None
    pattern = params.get("pattern", "")
    return next((own for known, own in PATTERN_CODES.items()
                 if pattern in (known, repr(known)[1:-1])), None)


def _field_issue(item: dict[str, Any], wire_names: dict[str, str] | None = None) -> FieldIssue:
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
    elif missing_parameter := _MISSING_PARAMETER.match(message):
        source, key, code = missing_parameter["source"], missing_parameter["name"], "required"
    else:
        code, params = validation_messages.read(message)
        if own := _own_code(params):
            code, params = own, {}
    if source != "body" and wire_names:
        key = wire_names.get(key, key)  # a parameter's Python name (from_) is not its wire name (from)
    field = f"{source}.{key}" if key else str(source)
    return FieldIssue(field=field, code=code, params=params, message=message)


# The framework's "Missing required query parameter 'from' for path /v1/…"
_MISSING_PARAMETER = re.compile(r"^Missing required (?P<source>\w+) parameter '(?P<name>[^']+)'")


def field_error_from(message: str, source: str = "body") -> FieldIssue:
    """A field issue from a msgspec message such as "Expected `bool`, got `int` - at `$.votes`"."""
    text, _, where = message.partition(" - at `")
    return _field_issue({"message": text, "key": where.rstrip("`"), "source": source})


def problem_for(exc: BaseException, language: str, wire_names: dict[str, str] | None = None) -> ProblemError:
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
        # A rule broken by one field of the body names it (e.g. media_ids[1]).
        field = exc.params.get("field")
        errors = [FieldIssue(field=field, code=exc.code)] if isinstance(field, str) else None
        return ProblemError(code, params=exc.params, detail=exc.params.get("detail"), errors=errors,
                            headers={"Retry-After": str(retry_after)} if retry_after else None)
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        errors = [_field_issue(item, wire_names) for item in extra if isinstance(item, dict)]
        if not errors and "JSON" in str(exc.detail):
            return ProblemError("malformed_body")
        if not errors and _MISSING_PARAMETER.match(str(exc.detail)):
            errors = [_field_issue({"message": str(exc.detail)})]
        return ProblemError("validation_failed", errors=errors or None)
    if isinstance(exc, HTTPException):
        return ProblemError(code_for_status(exc.status_code), headers=dict(exc.headers or {}))
    if isinstance(exc, RecursionError):  # JSON nested deeper than the decoder follows
        return ProblemError("malformed_body")
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return ProblemError("service_unavailable", headers={"Retry-After": "5"})
    return ProblemError("internal_error")


def handle_exception(request: Request, exc: Exception) -> Response:
    """The application's single exception handler."""
    language = request_language(request.headers)
    problem = problem_for(exc, language, parameter_wire_names(request))
    request_id = request.scope.get("state", {}).get("request_id", "")
    # A client that left mid-request makes the framework fail on the missing body; that is
    # logged once, at info, by the edge (client_disconnected), not as an error here.
    client_left = request.scope.get("state", {}).get("client_disconnected", False)
    if problem.code == "internal_error" and not client_left:
        log.error("unhandled_error", exc_info=exc)
    elif problem.code == "service_unavailable":
        log.warning("dependency_unavailable", error=type(exc).__name__)
    errors = [
        e.localised(language) if isinstance(e, FieldIssue) else
        FieldError(field=e.field, code=e.code, message=e.message or catalogue.field_message(e.code, language, {}))
        for e in problem.errors
    ] if problem.errors else None
    body = render(problem.code, language=language, request_id=request_id,
                  instance=request.url.path, detail=problem.detail, errors=errors, params=problem.params)
    return Response(content=body, status_code=status_of(problem.code), media_type=PROBLEM_MEDIA_TYPE,
                    headers=problem.headers)
