"""The published contract: problem responses on every operation, closed request bodies,
and an example per operation, derived from the field examples in the code."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPI, Schema

from api.conventions.problems import PROBLEM_MEDIA_TYPE, Problem

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


def problems(statuses: tuple[int, ...]) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(data_container=Problem, description=_DESCRIPTIONS[status],
                             media_type=PROBLEM_MEDIA_TYPE, generate_examples=False)
        for status in statuses
    }


class Input(msgspec.Struct, forbid_unknown_fields=True):
    """Base of every request body: unknown fields are refused (a typo is a 400, not a
    silently ignored field), which the contract states as additionalProperties: false."""


def _closed_inputs() -> set[str]:
    names, stack = set(), list(Input.__subclasses__())
    while stack:
        cls = stack.pop()
        names.add(cls.__name__)
        stack.extend(cls.__subclasses__())
    return names


def _example(schema: Any, components: dict[str, Schema], depth: int = 0) -> Any:
    if depth > 6 or schema is None:
        return None
    if getattr(schema, "ref", None):
        return _example(components.get(schema.ref.rsplit("/", 1)[-1]), components, depth + 1)
    if getattr(schema, "examples", None):
        return schema.examples[0]
    if getattr(schema, "one_of", None):
        return next((e for e in (_example(s, components, depth + 1) for s in schema.one_of)
                     if e is not None), None)
    if getattr(schema, "properties", None):
        return {name: _example(prop, components, depth + 1) for name, prop in schema.properties.items()}
    if getattr(schema, "items", None) is not None:
        item = _example(schema.items, components, depth + 1)
        return [] if item is None else [item]
    return None


def finalize(spec: OpenAPI) -> OpenAPI:
    """Close the request bodies and attach an example to each success response."""
    components = spec.components.schemas or {}
    for name in _closed_inputs() & set(components):
        components[name].additional_properties = False
    for path_item in (spec.paths or {}).values():
        for operation in (getattr(path_item, m, None) for m in ("get", "post", "put", "patch", "delete")):
            if operation is None:
                continue
            for status, response in (operation.responses or {}).items():
                if not str(status).startswith("2") or not getattr(response, "content", None):
                    continue
                for media in response.content.values():
                    if media.example is None and media.examples is None:
                        media.example = _example(media.schema, components)
    return spec
