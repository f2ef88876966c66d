"""What the contract says beyond litestar's document, for generators and readers alike
(applied by ``api/conventions/openapi.py`` to every operation; no endpoint is named here):

- component names are identifiers that mean something (``RoleGrantPage``, not
  ``Page_api.schemas.roles.RoleGrant_``): they become the SDKs' type names;
- response fields that are always sent are required (a generated type need not guard
  them); request bodies keep msgspec's own rule (a field with a default is optional);
- every response declares the headers the edge sends: X-Request-Id, RateLimit and
  RateLimit-Policy, Retry-After on 429/503, Location on 201, Idempotent-Replayed on a
  POST's success;
- ``Problem.code`` is an enum of the catalogue's codes;
- every operation has a description: its handler's docstring, then what the conventions
  promise for it (token, Idempotency-Key, If-Match, paging, conditional reads);
- the tags are declared, with a description each;
- patterns are written so that ECMAScript engines compile them too (no ``\\U0001xxxx``)."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from api.conventions import catalogue

_GENERIC = re.compile(r"^(?P<outer>[A-Za-z]\w*?)_(?:[A-Za-z_][\w.]*\.)?(?P<inner>[A-Za-z]\w*?)_$")
UNLIMITED_PATHS = ("/healthz", "/readyz")

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-Id": {"description": "The request's id (the caller's, when sane, else generated); "
                                    "quote it when reporting a problem.",
                     "schema": {"type": "string", "example": "req_8m3k9x2q7r5t1v4w"}},
    "RateLimit-Policy": {"description": "The quotas this request counted against "
                                        "(draft-ietf-httpapi-ratelimit-headers).",
                         "schema": {"type": "string", "example": '"client";q=600;w=60'}},
    "RateLimit": {"description": "What is left of the tightest quota, and when it resets.",
                  "schema": {"type": "string", "example": '"client";r=599;t=60'}},
    "Retry-After": {"description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "minimum": 0, "example": 5}},
    "Location": {"description": "The path of the created resource, when it has one of its own.",
                 "schema": {"type": "string", "example": "/v1/reports/rpt_8m3k9x2q7r5t1v4w"}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored answer to an earlier "
                                           "request with the same Idempotency-Key.",
                            "schema": {"type": "string", "enum": ["true"]}},
    "ETag": {"description": "Strong entity tag of the representation; send it back in If-Match "
                            "(changes) or If-None-Match (reads).",
             "schema": {"type": "string", "example": '"8m3k9x2q7r5t1v4w"'}},
}

TAGS = {
    "auth": "Tokens: client credentials for platforms, WeChat sign-in for residents, refresh.",
    "me": "The signed-in resident: profile, households, points.",
    "people": "Members of households and communities, invitations, the audit trail.",
    "places": "Communities, buildings and households.",
    "roles": "Who leads what: building leaders, community staff, street officials.",
    "organizations": "Property companies, owners' committees and other organisations.",
    "clients": "Platform and mini-program clients of a street.",
    "spaces": "Shared spaces a building or community books.",
    "bookings": "Bookings of spaces, one-off and series.",
    "proposals": "Proposals, comments, support, options, ballots and decisions.",
    "documents": "A building's convention and rules of procedure: versions adopted by vote, filing with the street.",
    "tasks": "Tasks for leaders and staff: assignment, progress, escalation.",
    "reports": "Residents' reports of problems and their handling.",
    "events": "The event feed for the street's platform.",
    "webhooks": "Webhook endpoints and their deliveries.",
    "system": "Probes, metrics, problem types.",
    "test clock": "The business clock of test configurations.",
    "needs": "The community's needs list (需求清单): raised by residents and leaders, met by projects.",
    "resources": "The resources partner organisations offer a community (资源清单).",
    "projects": "Projects (项目清单) that match needs with resources and organisations; their tasks.",
    "agreements": "Co-building agreements (共建协议) with partner organisations: drafts, signatures, dates.",
    "campaigns": "最美楼栋 rating campaigns: nominations, self-assessment, raters' scores, published results.",
    "activities": "Activities of buildings and communities: sign-ups, waiting lists, attendance and its points.",
    "talents": "The talent pool: residents' talents shown with consent, and leaders' invitations.",
    "fund": "The self-governance fund (自治金): figures, public entries, incomes, budgets' expenses and objections.",
    "announcements": "看: announcements of a building, a community and the street, and acknowledgements (我已知晓).",
    "questions": "问: residents' questions to the community, staff answers and the FAQ.",
    "feed": "My feed: what concerns me across 看/办/议/问, newest first.",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def _renamed(name: str) -> str:
    match = _GENERIC.match(name)
    return f"{match['inner']}{match['outer']}" if match else name


def rename_components(document: dict[str, Any]) -> dict[str, str]:
    """Rename generic instances (``Page_api.schemas.x.Task_`` → ``TaskPage``) everywhere;
    refuse two components under one name. Returns new name → old name."""
    schemas = document["components"]["schemas"]
    renames = {old: _renamed(old) for old in schemas if _renamed(old) != old}
    clashes = [new for new in renames.values() if new in schemas or list(renames.values()).count(new) > 1]
    if clashes:
        raise RuntimeError(f"two schemas would share the names {sorted(set(clashes))}")
    document["components"]["schemas"] = {renames.get(k, k): v for k, v in schemas.items()}
    for new in renames.values():
        document["components"]["schemas"][new]["title"] = new
    _rewrite_refs(document, {f"#/components/schemas/{o}": f"#/components/schemas/{n}" for o, n in renames.items()})
    return {new: old for old, new in renames.items()}


def _rewrite_refs(node: Any, table: dict[str, str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str) and node["$ref"] in table:
            node["$ref"] = table[node["$ref"]]
        for value in node.values():
            _rewrite_refs(value, table)
    elif isinstance(node, list):
        for item in node:
            _rewrite_refs(item, table)


def _structs() -> dict[str, list[type[msgspec.Struct]]]:
    found: dict[str, list[type[msgspec.Struct]]] = {}
    stack = list(msgspec.Struct.__subclasses__())
    while stack:
        cls = stack.pop()
        found.setdefault(cls.__name__, []).append(cls)
        stack.extend(cls.__subclasses__())
    return found


def _always_sent(cls: type[msgspec.Struct]) -> set[str]:
    omit_defaults = cls.__struct_config__.omit_defaults
    sent = set()
    for field in msgspec.structs.fields(cls):
        has_default = field.default is not msgspec.NODEFAULT or field.default_factory is not msgspec.NODEFAULT
        if field.default is msgspec.UNSET or (has_default and omit_defaults):
            continue
        sent.add(field.encode_name)
    return sent


def require_what_is_always_sent(components: dict[str, Any], request_names: set[str],
                                original_names: dict[str, str]) -> None:
    """Response schemas (those litestar made from return types) list every field the encoder
    always writes as required; a field msgspec omits (UNSET, or a default under omit_defaults)
    stays optional."""
    structs = _structs()
    for name, schema in components.items():
        if name in request_names or not isinstance(schema.get("properties"), dict):
            continue
        struct_name = original_names.get(name, name).split("_", 1)[0]
        properties = set(schema["properties"])
        matching = [cls for cls in structs.get(struct_name, [])
                    if {f.encode_name for f in msgspec.structs.fields(cls)} == properties]
        if len(matching) != 1 and not (matching and all(_always_sent(c) == _always_sent(matching[0])
                                                         for c in matching)):
            continue
        required = sorted(_always_sent(matching[0]) | set(schema.get("required", [])))
        if required:
            schema["required"] = required


def problem_codes(components: dict[str, Any]) -> None:
    if "Problem" not in components:  # an app with no error responses (tests build such)
        return
    code = components["Problem"]["properties"]["code"]
    code["enum"] = sorted(catalogue.PROBLEMS)
    code["description"] = "Stable, machine-readable; GET /problems/{code} describes each."


_ASTRAL = re.compile(r"\\U([0-9a-fA-F]{8})")


def portable_patterns(node: Any) -> None:
    """``\\U0001xxxx`` is Python's; ECMAScript (and so every browser and Node validator) has
    no such escape. The character itself means the same to both."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                node[key] = _ASTRAL.sub(lambda m: chr(int(m[1], 16)), value)
            else:
                portable_patterns(value)
    elif isinstance(node, list):
        for item in node:
            portable_patterns(item)


def declare_headers(path: str, method: str, operation: dict[str, Any], public: bool) -> None:
    counted = not path.startswith(UNLIMITED_PATHS)
    for status, response in operation.get("responses", {}).items():
        code = int(status)
        headers = response.setdefault("headers", {})
        headers["X-Request-Id"] = ref("X-Request-Id")
        if counted:
            headers["RateLimit-Policy"] = ref("RateLimit-Policy")
            headers["RateLimit"] = ref("RateLimit")
        if code in (429, 503):
            headers["Retry-After"] = ref("Retry-After")
        if code == 201:
            headers["Location"] = ref("Location")
        if method == "post" and not public and 200 <= code < 300:
            headers["Idempotent-Replayed"] = ref("Idempotent-Replayed")
        if "ETag" in headers and "$ref" not in headers["ETag"]:
            headers["ETag"] = ref("ETag")


def describe(operation: dict[str, Any], method: str, public: bool) -> None:
    """The handler's docstring (litestar puts it in ``description``), then the promises the
    conventions make for this operation."""
    own = (operation.get("description") or "").strip()
    if not own:
        summary = (operation.get("summary") or "").strip().rstrip(".")
        own = f"{summary}." if summary else ""
    names = {p.get("name") for p in operation.get("parameters", [])}
    notes = ["No token needed." if public else "Needs a bearer access token (`Authorization: Bearer …`)."]
    if "cursor" in names:
        notes.append("Cursor-paged: pass `next_cursor` back as `cursor` until it is null.")
    if "If-None-Match" in names:
        notes.append("Answers with an `ETag`; send it as `If-None-Match` to get 304 while unchanged.")
    if "If-Match" in names:
        notes.append("Send the `ETag` read last as `If-Match`; 412 when the resource changed since.")
    if "Idempotency-Key" in names:
        notes.append("Send an `Idempotency-Key` so a retry is safe: the first answer is replayed.")
    operation["description"] = own + "\n\n" + " ".join(notes)


def single_choices_inlined(node: Any) -> None:
    """``oneOf: [X]`` (litestar's form of ``X | UNSET``) is X: generators make no union of one."""
    if isinstance(node, dict):
        for key in ("oneOf", "anyOf"):
            if isinstance(node.get(key), list) and len(node[key]) == 1 and isinstance(node[key][0], dict):
                only = node.pop(key)[0]
                for name, value in only.items():
                    node.setdefault(name, value)
        for value in node.values():
            single_choices_inlined(value)
    elif isinstance(node, list):
        for item in node:
            single_choices_inlined(item)


def declare_tags(document: dict[str, Any]) -> None:
    used = sorted({tag for item in document.get("paths", {}).values() for op in item.values()
                   if isinstance(op, dict) for tag in op.get("tags", [])})
    document["tags"] = [{"name": tag, "description": TAGS.get(tag, f"Operations on {tag}.")} for tag in used]


def finish_document(document: dict[str, Any]) -> None:
    document["components"]["headers"] = HEADERS
    declare_webhooks(document)
    document["info"].setdefault("license", {"name": "Proprietary", "identifier": "LicenseRef-Bilin"})
    declare_tags(document)
    portable_patterns(document)
    single_choices_inlined(document)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[._]", name))


def declare_webhooks(document: dict[str, Any]) -> None:
    """One webhook per event type of the catalogue (``domain/events.py`` ``EVENT_TYPES``), with
    a payload schema of its own: the envelope with ``type`` and ``subject.type`` fixed and the
    type's ``data`` fields (more may come: consumers ignore fields they do not know)."""
    from domain.events import EVENT_TYPES  # the catalogue is the domain's

    schemas = document["components"]["schemas"]
    webhooks: dict[str, Any] = {}
    kinds = {"string": {"type": ["string", "null"]}, "integer": {"type": ["integer", "null"]},
             "boolean": {"type": ["boolean", "null"]}, "object": {"type": ["object", "null"]},
             "array": {"type": "array", "items": {"type": "string"}}}
    for event_type, spec in sorted(EVENT_TYPES.items()):
        name = f"{_pascal(event_type)}Event"
        data_schema = {"type": "object", "title": f"{name}Data", "additionalProperties": True,
                       "properties": {field: dict(kinds[kind]) for field, kind in spec.data}}
        schemas[f"{name}Data"] = data_schema
        schemas[name] = {
            "type": "object", "title": name, "description": f"`{event_type}`: {spec.summary}.",
            "required": ["id", "type", "occurred_at", "street_id", "community_id", "building_id", "subject", "data"],
            "properties": {
                "id": {"type": "string", "example": "evt_8m3k9x2q7r5t1v4w"},
                "type": {"type": "string", "const": event_type},
                "occurred_at": {"type": "string", "format": "date-time"},
                "street_id": {"type": "string"},
                "community_id": {"type": ["string", "null"]},
                "building_id": {"type": ["string", "null"]},
                "subject": {"type": "object", "required": ["type", "id"], "properties": {
                    "type": {"type": "string", "const": spec.subject}, "id": {"type": "string"}}},
                "data": {"$ref": f"#/components/schemas/{name}Data"},
            },
        }
        headers = {header: {"in": "header", "name": header, "required": True, "schema": {"type": "string"},
                            "description": description} for header, description in (
            ("webhook-id", "The event's id: the same on every retry (deduplicate by it)."),
            ("webhook-timestamp", "Unix seconds when this attempt was signed."),
            ("webhook-signature", ("`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` with the endpoint's "
                                   "secret (Standard Webhooks); two during a secret rotation's overlap.")))}
        webhooks[event_type] = {"post": {
            "operationId": f"on{_pascal(event_type)}",
            "summary": spec.summary,
            "description": f"Sent to endpoints subscribed to `{event_type}` (or its resource's wildcard). "
                           "Answer 2xx within 10 s; anything else is retried with back-off; 410 disables the "
                           "endpoint.",
            "tags": ["webhooks"],
            "security": [],
            "parameters": list(headers.values()),
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{name}"}}}},
            "responses": {"200": {"description": "Received"},
                          "410": {"description": "Gone: disable this endpoint"}},
        }}
    document["webhooks"] = webhooks
