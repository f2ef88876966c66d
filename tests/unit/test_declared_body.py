"""A route that reads its own body declares it (``opt["request_body"]``) and the contract shows
it; the generic contract code names no endpoint (it once special-cased the token endpoint)."""

from __future__ import annotations

import ast
from pathlib import Path

import msgspec
from litestar import Litestar, Request, post

from api.conventions.openapi import DeclaredBody, build_document

ROOT = Path(__file__).resolve().parents[2]


# Not Input subclasses: every Input subclass is in the service's own contract.
class PingA(msgspec.Struct, forbid_unknown_fields=True, tag="a", tag_field="kind"):
    a: int


class PingB(msgspec.Struct, forbid_unknown_fields=True, tag="b", tag_field="kind"):
    b: str


@post("/pings", operation_id="sendPing", status_code=204, opt={
    "request_body": DeclaredBody("PingRequest", PingA | PingB, ("application/json", "text/plain"))})
async def send_ping(request: Request) -> None:
    msgspec.json.decode(await request.body(), type=PingA | PingB)


def test_a_declared_body_is_the_operations_request_body_in_each_media_type():
    document = build_document(Litestar(route_handlers=[send_ping]))
    reference = {"schema": {"$ref": "#/components/schemas/PingRequest"}}
    body = document["paths"]["/pings"]["post"]["requestBody"]
    # JSON gets an example derived from the schema (the first member of the union)
    assert body["content"]["application/json"].pop("example") == {"kind": "a", "a": 1}
    assert body == {"required": True, "content": {"application/json": reference, "text/plain": reference}}
    schema = document["components"]["schemas"]["PingRequest"]
    assert {ref["$ref"] for ref in schema["anyOf"]} == {"#/components/schemas/PingA", "#/components/schemas/PingB"}
    assert document["components"]["schemas"]["PingA"]["additionalProperties"] is False


def test_the_contract_code_imports_no_endpoint():
    tree = ast.parse((ROOT / "api/conventions/openapi.py").read_text())
    modules = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [m for m in modules if m and m.startswith(("api.auth", "api.routes"))]
