"""The contract's examples: the smallest string a pattern matches (against a brute-force search
over a small alphabet), ids by field name, and the renaming of generic component names."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from api.conventions.openapi_examples import example_for, smallest_match
from api.conventions.openapi_extras import rename_components

ALPHABET = "ab0-"
_atoms = st.sampled_from(["a", "b", "0", "-", "[ab]", "[0-9]", r"\d", "[^a]", "(?:a|b0)", "(?:ab|0)"])
_quantifiers = st.sampled_from(["", "?", "*", "+", "{2}", "{1,3}", "{0,2}"])


@st.composite
def patterns(draw) -> str:
    parts = draw(st.lists(st.tuples(_atoms, _quantifiers), min_size=1, max_size=4))
    return "^" + "".join(atom + quantifier for atom, quantifier in parts) + "$"


def shortest_by_search(pattern: str, longest: int = 7) -> int | None:
    for length in range(longest + 1):
        for chars in itertools.product(ALPHABET, repeat=length):
            if re.fullmatch(pattern.strip("^$"), "".join(chars)):
                return length
    return None


@settings(max_examples=150, deadline=None)
@given(patterns())
def test_the_smallest_match_matches_and_is_as_short_as_any(pattern):
    found = smallest_match(pattern)
    assert found is not None and re.search(pattern, found), (pattern, found)
    shortest = shortest_by_search(pattern)
    if shortest is not None:
        assert len(found) == shortest, (pattern, found, shortest)


def test_examples_come_from_names_formats_and_patterns():
    components = {"Report": {"type": "object", "properties": {
        "id": {"type": "string"}, "building_id": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "phone": {"type": "string", "pattern": r"^1\d{10}$"},
        "appid": {"type": "string", "pattern": r"^wx[0-9a-z]{16}$"},
        "count": {"type": "integer", "minimum": 5}}}}
    example = example_for({"$ref": "#/components/schemas/Report"}, components)
    assert example == {"id": "rpt_8m3k9x2q7r5t1v4w", "building_id": "bld_8m3k9x2q7r5t1v4w",
                       "created_at": "2026-11-22T08:00:00Z", "phone": "13800138000",
                       "appid": "wx1234567890abcdef", "count": 5}


def test_generic_component_names_become_item_page_everywhere():
    document = {"components": {"schemas": {
        "Page_api.schemas.roles.RoleGrant_": {"type": "object", "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/RoleGrant"}}}},
        "RoleGrant": {"type": "object"}}},
        "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Page_api.schemas.roles.RoleGrant_"}}}}}}}}}
    assert rename_components(document) == {"RoleGrantPage": "Page_api.schemas.roles.RoleGrant_"}
    assert set(document["components"]["schemas"]) == {"RoleGrantPage", "RoleGrant"}
    schema = document["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/RoleGrantPage"}
