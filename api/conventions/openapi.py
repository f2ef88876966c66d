"""The published contract.

Litestar generates the OpenAPI document from the routes; this module finishes it, as one
pass over the document, so every operation states the same promises:
- request bodies use msgspec's own JSON Schema of the body types (exact constraints, closed
  with additionalProperties: false, since unknown fields are refused);
- every error response is problem+json; public operations say `security: []`;
- the convention headers are documented where they apply (Idempotency-Key on POST, If-Match
  on changes, If-None-Match/ETag/304 on single resources);
- each success response has an example that validates against its own schema."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
import yaml
from litestar import Litestar, Request
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin

from api.conventions import openapi_extras as extras
from api.conventions.openapi_examples import example_for
from api.conventions.problems import PROBLEM_MEDIA_TYPE, Problem
from api.conventions.uploads import UPLOAD_OPT, UploadRule
from domain.media import CONTENT_TYPES as IMAGE_TYPES

_DESCRIPTIONS = {
    400: "The request does not parse or does not match the schema",
    401: "No token, or the token is invalid or expired",
    403: "The caller may read this but may not do it",
    404: "Not found, or not readable by the caller",
    409: "The resource is in a conflicting state, or already exists",
    412: "If-Match does not match the current version",
    413: "The body is too large",
    415: "The content type is not supported",
    422: "A business rule was broken",
    429: "Rate limited; see Retry-After",
    502: "An outside service (WeChat) refused or gave an unexpected answer",
    503: "A dependency is down; see Retry-After",
}
READ = (400, 401, 403, 404, 429, 503)
WRITE = (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503)
PUBLIC = (400, 429, 503)
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def problems(statuses: tuple[int, ...]) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(data_container=Problem, description=_DESCRIPTIONS[status],
                             media_type=PROBLEM_MEDIA_TYPE, generate_examples=False)
        for status in statuses
    }


class Input(msgspec.Struct, forbid_unknown_fields=True):
    """Base of every request body: unknown fields are refused (a typo is a 400, not a
    silently ignored field)."""


def _subclasses(cls: type) -> list[type]:
    found, stack = [], list(cls.__subclasses__())
    while stack:
        sub = stack.pop()
        found.append(sub)
        stack.extend(sub.__subclasses__())
    return sorted(found, key=lambda c: c.__name__)


def _header(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "description": description, "schema": schema}


IDEMPOTENCY_KEY = _header("Idempotency-Key", "Makes a retried POST safe: the first response is replayed.",
                          {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"})
# problems' titles, details and field messages are in the caller's language (zh-CN by default)
ACCEPT_LANGUAGE = _header("Accept-Language", "The language of problem titles, details and field messages: "
                          "zh-CN (the default) or en.", {"type": "string", "example": "zh-CN"})
IF_MATCH = _header("If-Match", "The ETag read last; 412 when the resource changed since.", {"type": "string"})
IF_NONE_MATCH = _header("If-None-Match", "An ETag held; 304 when unchanged.", {"type": "string"})
_ETAG_HEADER = {"ETag": {"description": "Strong entity tag of the representation", "schema": {"type": "string"}}}


def _refuse_nul(schema: Any) -> None:
    """Every request string refuses NUL (PostgreSQL text cannot hold it, and the server says
    so with a 400): state it on the strings whose schema does not already constrain them."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and not {"pattern", "enum", "const", "format"} & set(schema):
            schema["pattern"] = "^[^\\x00]*$"
        for value in schema.values():
            _refuse_nul(value)
    elif isinstance(schema, list):
        for item in schema:
            _refuse_nul(item)


def _operations(document: dict[str, Any]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method in ("get", "put", "post", "patch", "delete"):
            if method in item:
                yield path, method, item[method]


def _public_operation_ids(app: Litestar) -> set[str]:
    ids = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            # Routes whose layers declare no security requirement need no token.
            if not handler.resolve_security() and handler.operation_id:
                ids.add(handler.operation_id)
    return ids


@dataclass(frozen=True)
class DeclaredBody:
    """A request body a route reads itself (``opt={"request_body": DeclaredBody(…)}``) rather
    than through a typed ``data`` parameter — a union of types, or more media types than JSON —
    stated here so the contract shows it as the route's handler reads it."""

    name: str                  # its schema's name in components
    type: Any                  # a msgspec type, unions included
    media_types: tuple[str, ...] = ("application/json",)
    # media type → (schema name, msgspec type) where that media type has a schema of its own
    # (a form is one flat object; a generator cannot send a union as a form)
    other_types: tuple[tuple[str, str, Any], ...] = ()


def _declared_bodies(app: Litestar) -> dict[str, DeclaredBody]:
    """operationId → the body that route declares."""
    declared = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            body = handler.opt.get("request_body")
            if isinstance(body, DeclaredBody) and handler.operation_id:
                declared[handler.operation_id] = body
    return declared


def _upload_bodies(app: Litestar) -> dict[str, UploadRule]:
    """operationId → the multipart body an upload route reads (uploads.py)."""
    return {handler.operation_id: handler.opt[UPLOAD_OPT]
            for route in app.routes for handler in getattr(route, "route_handlers", [])
            if isinstance(handler.opt.get(UPLOAD_OPT), UploadRule) and handler.operation_id}


def build_document(app: Litestar) -> dict[str, Any]:
    document = copy.deepcopy(app.openapi_schema.to_schema())
    components = document.setdefault("components", {}).setdefault("schemas", {})
    declared = _declared_bodies(app)
    declared_types = [body.type for body in declared.values()]
    other_types = [(name, kind) for body in declared.values() for _, name, kind in body.other_types]
    schemas, body_schemas = msgspec.json.schema_components(
        [*declared_types, *[kind for _, kind in other_types], *_subclasses(Input)],
        ref_template="#/components/schemas/{name}")
    for name, schema in zip([b.name for b in declared.values()] + [n for n, _ in other_types], schemas,
                            strict=False):
        components[name] = schema
    for name, schema in body_schemas.items():
        if schema.get("type") == "object":
            schema["additionalProperties"] = False
        _refuse_nul(schema)
        components[name] = schema
    uploads = _upload_bodies(app)
    for rule in uploads.values():
        components[rule.name] = rule.schema()
    for _, _, operation in _operations(document):
        if (rule := uploads.get(operation.get("operationId"))) is not None:
            operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {
                "schema": {"$ref": f"#/components/schemas/{rule.name}"}}}}
    request_names = (set(body_schemas) | {b.name for b in declared.values()} | {n for n, _ in other_types}
                     | {rule.name for rule in uploads.values()})
    original_names = extras.rename_components(document)
    components = document["components"]["schemas"]
    extras.require_what_is_always_sent(components, request_names, original_names)
    extras.problem_codes(components)
    public = _public_operation_ids(app)
    answers = _answer_media_types(app)
    for path, method, operation in _operations(document):
        _finish_operation(path, method, operation, components, public, declared.get(operation.get("operationId")))
        _alternative_media_types(operation, answers.get(operation.get("operationId"), ()))
        is_public = operation.get("operationId") in public
        extras.declare_headers(path, method, operation, is_public)
        extras.describe(operation, method, is_public)
    extras.finish_document(document)
    return document


def _answer_media_types(app: Litestar) -> dict[str, tuple[str, ...]]:
    """operationId → the further media types a route answers in (``opt={"answers_also": (…)}``),
    beside the one its decorator names (an export as CSV or XLSX)."""
    return {handler.operation_id: tuple(handler.opt["answers_also"])
            for route in app.routes for handler in getattr(route, "route_handlers", [])
            if handler.opt.get("answers_also") and handler.operation_id}


def _alternative_media_types(operation: dict[str, Any], media_types: tuple[str, ...]) -> None:
    for status, response in (operation.get("responses") or {}).items():
        if str(status).startswith("2") and response.get("content"):
            for media_type in media_types:
                response["content"][media_type] = {"schema": {"type": "string", "format": "binary"}}


def _finish_operation(path: str, method: str, operation: dict[str, Any], components: dict[str, Any],
                      public: set[str], declared: DeclaredBody | None) -> None:
    if operation.get("operationId") in public:
        operation["security"] = []
    body = operation.get("requestBody", {}).get("content", {})
    if declared is not None:
        own = {media_type: name for media_type, name, _ in declared.other_types}
        operation["requestBody"] = {"required": True, "content": {
            media_type: {"schema": {"$ref": f"#/components/schemas/{own.get(media_type, declared.name)}"}}
            for media_type in declared.media_types}}
    for media_type, media in (operation.get("requestBody", {}).get("content") or {}).items():
        if "json" in media_type or "form" in media_type:
            media.setdefault("example", example_for(media.get("schema"), components))
    parameters = operation.setdefault("parameters", [])
    for parameter in parameters:
        if parameter.get("name") == "updated_since":  # the pattern requires the offset
            parameter["schema"]["format"] = "date-time"
        if parameter.get("in") == "query":  # the edge refuses a NUL anywhere in the query
            _refuse_nul(parameter.get("schema"))
    parameters.append(ACCEPT_LANGUAGE)
    if method == "post" and operation.get("operationId") not in public:  # keys belong to a caller
        parameters.append(IDEMPOTENCY_KEY)
    if method in ("patch", "delete") or path.endswith("/transitions"):
        parameters.append(IF_MATCH)
    if not parameters:
        operation.pop("parameters")
    responses = operation.setdefault("responses", {})
    if "400" not in responses:
        # the edge's request checks (a NUL in the query, a malformed header) apply to every path
        responses["400"] = {"description": _DESCRIPTIONS[400]}
    for status, response in list(responses.items()):
        code = int(status)
        if code >= 400:
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
            continue
        if code == 204:
            response.pop("content", None)
        content = response.get("content") or {}
        if any(media_type.startswith("image/") for media_type in content):
            # The bytes of a stored photo, in whichever of the served image types it has.
            response["content"] = content = {media_type: {"schema": {"type": "string", "format": "binary"}}
                                             for media_type in IMAGE_TYPES}
            continue
        for media_type, media in content.items():
            if "example" not in media and "examples" not in media:
                media["example"] = (example_for(media.get("schema"), components) if "json" in media_type
                                    else "# HELP bilin_http_requests_total HTTP requests\n")
        if method in ("get", "patch", "put") and code == 200 and path.endswith("}") and body is not None:
            response.setdefault("headers", {}).update(_ETAG_HEADER)
    if method == "get" and path.endswith("}") and "200" in responses and "ETag" in responses["200"].get("headers", {}):
        parameters = operation.setdefault("parameters", [])
        parameters.append(IF_NONE_MATCH)
        responses["304"] = {"description": "Not modified: the If-None-Match tag is current", "headers": _ETAG_HEADER}


def contract_document(app: Litestar) -> dict[str, Any]:
    """The finished document, built once per app."""
    cached = getattr(app.state, "contract_document", None)
    if cached is None:
        cached = build_document(app)
        app.state.contract_document = cached
    return cached


class _PlainDumper(yaml.SafeDumper):
    """No &anchors/*aliases: shared sub-objects are written out where they are used."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=100)


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


class ContractJson(JsonRenderPlugin):
    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return render_json(contract_document(request.app)).encode()


class ContractYaml(YamlRenderPlugin):
    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return render_yaml(contract_document(request.app)).encode()
