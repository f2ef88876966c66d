"""The published contract, ``schema/openapi.yaml``: generated from the code, valid OpenAPI 3.1,
and holding the promises of /work/shared/spec/conventions.md ("The contract") on every operation.

These tests need no database: the document is rendered from the code, never served."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from tests.contract.spec_routes import PUBLIC_PATHS, SPEC_ROUTES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = PROJECT_ROOT / "schema" / "openapi.yaml"
REGENERATE = "regenerate with `.venv/bin/python -m service.cli openapi > schema/openapi.yaml`"

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
BEARER = [{"bearerAuth": []}]
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"



def _load() -> dict[str, Any]:
    return yaml.safe_load(SCHEMA_FILE.read_text(encoding="utf-8"))


DOCUMENT = _load()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


OPERATIONS = list(_operations(DOCUMENT))


def _id(path: str, method: str, operation: dict[str, Any]) -> str:
    return operation.get("operationId") or f"{method.upper()} {path}"


# Known contract defects: (check, operationId) → the bug, as a strict xfail, so a fix makes the
# mark fail and it must then be removed. None today.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _params(check: str) -> list[Any]:
    params = []
    for path, method, operation in OPERATIONS:
        op_id = _id(path, method, operation)
        marks = []
        if (check, op_id) in KNOWN_BUGS:
            marks.append(pytest.mark.xfail(reason=KNOWN_BUGS[(check, op_id)], strict=True))
        params.append(pytest.param(path, method, operation, id=op_id, marks=marks))
    return params


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"]
        assert pointer.startswith("#/"), f"external $ref {pointer!r}"
        node = document
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# (a) — the committed contract is the one the code generates ---------------------------------

def test_the_committed_schema_is_the_one_the_code_generates():
    from api.openapi_export import render_openapi

    generated = render_openapi("yaml")
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    if committed != generated:
        import difflib

        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), generated.splitlines(keepends=True),
            "schema/openapi.yaml (committed)", "render_openapi('yaml') (code)"))[:200])
        pytest.fail(f"schema/openapi.yaml is out of date: {REGENERATE}\n{diff}", pytrace=False)


def test_the_served_json_document_is_the_same_contract():
    import json

    from api.openapi_export import render_openapi

    assert json.loads(render_openapi("json")) == DOCUMENT, REGENERATE


# (b) — valid OpenAPI 3.1 -----------------------------------------------------------------------

def test_is_valid_openapi_3_1():
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    assert str(DOCUMENT.get("openapi", "")).startswith("3.1."), DOCUMENT.get("openapi")
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in OPENAPI_31_VALIDATOR.iter_errors(DOCUMENT)]
    assert not errors, "\n".join(errors[:30])


def _schema_objects(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every Schema Object of the document (the OAS meta-schema does not look inside them)."""
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        yield f"components/schemas/{name}", schema
    for path, method, operation in _operations(document):
        where = f"{method.upper()} {path}"
        for parameter in operation.get("parameters") or []:
            if "schema" in parameter:
                yield f"{where} parameter {parameter.get('name')}", parameter["schema"]
        for media_type, media in ((operation.get("requestBody") or {}).get("content") or {}).items():
            if "schema" in media:
                yield f"{where} requestBody {media_type}", media["schema"]
        for status, response in (operation.get("responses") or {}).items():
            for media_type, media in (response.get("content") or {}).items():
                if "schema" in media:
                    yield f"{where} {status} {media_type}", media["schema"]
            for header, spec in (response.get("headers") or {}).items():
                if "schema" in spec:
                    yield f"{where} {status} header {header}", spec["schema"]


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_schema_object_is_valid_json_schema_2020_12():
    errors = []
    for where, schema in _schema_objects(DOCUMENT):
        try:
            jsonschema_rs.meta.validate({"$schema": DRAFT_2020_12, **schema})
        except jsonschema_rs.ValidationError as error:
            errors.append(f"{where}: {error.message}")
        for key, value in _walk(schema):
            if key == "pattern" and isinstance(value, str):
                try:
                    re.compile(value)
                except re.error as error:
                    errors.append(f"{where}: pattern {value!r} does not compile: {error}")
    assert not errors, "\n".join(errors)


def test_every_pattern_is_portable():
    """JSON Schema patterns are ECMA-262 regexes; clients validate them with engines that have no
    notion of UTF-16 surrogates (Rust's regex, used by jsonschema_rs and so by schemathesis;
    Go's RE2). A pattern those engines cannot compile breaks every such client's validator."""
    unportable = sorted({f"{value!r} ({where})" for where, schema in _schema_objects(DOCUMENT)
                         for key, value in _walk(schema)
                         if key == "pattern" and isinstance(value, str) and not _compiles_in_rust(value)})
    assert not unportable, "patterns jsonschema_rs cannot compile:\n" + "\n".join(unportable)


def test_every_ref_resolves():
    unresolved = []
    for key, value in _walk(DOCUMENT):
        if key == "$ref" and isinstance(value, str):
            try:
                _resolve(DOCUMENT, {"$ref": value})
            except (KeyError, TypeError, AssertionError) as error:
                unresolved.append(f"{value}: {error!r}")
    assert not unresolved, unresolved


def test_every_path_template_variable_is_a_required_path_parameter():
    problems = []
    for path, method, operation in OPERATIONS:
        declared = {p["name"]: p for p in operation.get("parameters") or [] if p.get("in") == "path"}
        templated = set(re.findall(r"{([^}]+)}", path))
        if set(declared) != templated:
            problems.append(f"{method.upper()} {path}: template {templated} != declared {set(declared)}")
        problems += [f"{method.upper()} {path}: path parameter {n} is not required"
                     for n, p in declared.items() if p.get("required") is not True]
    assert not problems, "\n".join(problems)


# (c) — every operation keeps the promises of "The contract" ---------------------------------

def test_operation_ids_are_unique_and_camel_case():
    ids = [operation.get("operationId") for _, _, operation in OPERATIONS]
    missing = [f"{m.upper()} {p}" for p, m, o in OPERATIONS if not o.get("operationId")]
    assert not missing, f"operations without operationId: {missing}"
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate operationIds: {duplicates}"
    not_camel = [i for i in ids if not re.fullmatch(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*", i)]
    assert not not_camel, f"operationIds that are not camelCase: {not_camel}"


@pytest.mark.parametrize(("path", "method", "operation"), _params("summary"))
def test_operation_has_a_summary(path, method, operation):
    assert (operation.get("summary") or "").strip(), f"{method.upper()} {path} has no summary"


@pytest.mark.parametrize(("path", "method", "operation"), _params("security"))
def test_operation_states_its_security_requirement(path, method, operation):
    # There is no document-wide `security`, so each operation must state its own: bearerAuth,
    # or an explicit empty list for the public ones (a missing key reads as "not documented").
    assert "security" not in DOCUMENT, "a document-wide security requirement hides per-operation ones"
    assert "security" in operation, f"{method.upper()} {path} states no security requirement"
    expected = [] if path in PUBLIC_PATHS else BEARER
    assert operation["security"] == expected
    if expected:
        assert "bearerAuth" in DOCUMENT["components"]["securitySchemes"]


def _is_problem_response(response: dict[str, Any]) -> bool:
    content = response.get("content") or {}
    return (set(content) == {PROBLEM_MEDIA_TYPE}
            and content[PROBLEM_MEDIA_TYPE].get("schema") == {"$ref": PROBLEM_REF})


@pytest.mark.parametrize(("path", "method", "operation"), _params("problems"))
def test_operation_error_responses_are_problem_details(path, method, operation):
    responses = operation.get("responses") or {}
    errors = {str(s): r for s, r in responses.items() if str(s)[0] in "45"}
    wrong = {s: list(r.get("content") or {}) for s, r in errors.items() if not _is_problem_response(r)}
    assert not wrong, (f"{method.upper()} {path}: error responses that are not "
                       f"{PROBLEM_MEDIA_TYPE} with the Problem schema: {wrong}")
    if operation.get("security") == BEARER or path not in PUBLIC_PATHS:
        assert "401" in errors, f"{method.upper()} {path} is bearer-protected but documents no 401"
    if operation.get("requestBody") or operation.get("parameters"):
        assert "400" in errors, f"{method.upper()} {path} takes input but documents no 400"


@pytest.mark.parametrize(("path", "method", "operation"), _params("example"))
def test_operation_success_response_has_an_example(path, method, operation):
    successes = {str(s): r for s, r in (operation.get("responses") or {}).items() if str(s).startswith("2")}
    assert successes, f"{method.upper()} {path} documents no success response"
    for status, response in successes.items():
        for media_type, media in (response.get("content") or {}).items():
            if (media.get("schema") or {}).get("format") == "binary":
                continue  # bytes (a photo): no text example stands for them
            assert "example" in media or "examples" in media, (
                f"{method.upper()} {path} {status} {media_type} has no example")


def _compiles_in_rust(pattern: str) -> bool:
    try:
        jsonschema_rs.Draft202012Validator({"pattern": pattern})
    except jsonschema_rs.ValidationError:
        return False
    return True


def _without_unportable_patterns(node: Any) -> Any:
    """A copy without the patterns jsonschema_rs cannot compile (test_every_pattern_is_portable
    reports those), so that the examples can still be checked against everything else."""
    if isinstance(node, dict):
        return {k: _without_unportable_patterns(v) for k, v in node.items()
                if not (k == "pattern" and isinstance(v, str) and not _compiles_in_rust(v))}
    if isinstance(node, list):
        return [_without_unportable_patterns(v) for v in node]
    return node


def _validator_for(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    # The components travel with the schema so that `#/components/...` references resolve.
    return jsonschema_rs.Draft202012Validator(_without_unportable_patterns(
        {**schema, "components": DOCUMENT.get("components", {})}), validate_formats=True)


@pytest.mark.parametrize(("path", "method", "operation"), _params("example_valid"))
def test_operation_success_example_matches_its_schema(path, method, operation):
    for status, response in (operation.get("responses") or {}).items():
        if not str(status).startswith("2"):
            continue
        for media_type, media in (response.get("content") or {}).items():
            examples = ([media["example"]] if "example" in media else []) + [
                e.get("value") for e in (media.get("examples") or {}).values()]
            if "schema" not in media or not media_type.endswith("json"):
                continue
            validator = _validator_for(media["schema"])
            for example in examples:
                errors = [f"{'/'.join(map(str, e.instance_path)) or '<root>'}: {e.message}"
                          for e in validator.iter_errors(example)]
                assert not errors, (f"{method.upper()} {path} {status} example does not match "
                                    f"its schema: {errors}; example={example!r}")


# (d) — every /v1 route is one the spec names ---------------------------------------------------

def _normalized(path: str) -> str:
    return re.sub(r"{[^}]+}", "{id}", path)


def test_every_v1_route_is_named_by_the_spec():
    documented = {(m.upper(), _normalized(p)) for p, m, _ in OPERATIONS if p.startswith("/v1/")}
    unknown = sorted(documented - SPEC_ROUTES)
    assert not unknown, f"/v1 routes the spec (resources.md, conventions.md) does not name: {unknown}"


def test_the_spec_routes_implemented_so_far_are_all_documented():
    documented = {(m.upper(), _normalized(p)) for p, m, _ in OPERATIONS if p.startswith("/v1/")}
    missing = sorted(SPEC_ROUTES - documented)
    assert not missing, f"spec routes missing from the contract: {missing}"


def test_no_undocumented_non_v1_paths():
    others = {p for p in DOCUMENT["paths"] if not p.startswith("/v1/")}
    assert others <= PUBLIC_PATHS, sorted(others - PUBLIC_PATHS)
