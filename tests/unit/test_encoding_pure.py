"""The UTF-8 check of query strings and form bodies, as properties: any text percent-encoded
the way clients do passes, and a spoiled value is found and named, whatever surrounds it."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from hypothesis import given
from hypothesis import strategies as st

from api.conventions.encoding import declared_charset, form_field_with_bad_text, request_part_with_bad_text

# Text as clients send it: any Unicode scalar value (no lone surrogates: they are not text).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
NAMES = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8)
# Byte sequences that are not UTF-8: a stray byte, overlong forms, CESU-8 surrogate halves,
# truncated sequences, code points past U+10FFFF.
BAD = st.sampled_from([b"\xff", b"\x80", b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
                       b"\xed\xbf\xbf", b"\xe6\xa5", b"\xf0\x9f\x98", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80"])


def _scope(query: bytes, path: bytes = b"/v1/communities") -> dict:
    return {"query_string": query, "raw_path": path, "path": path.decode(), "headers": [(b"x-note", "楼".encode())]}


@given(st.lists(st.tuples(NAMES, TEXT), max_size=5))
def test_any_text_percent_encoded_passes(pairs):
    query = urlencode(pairs).encode()
    assert form_field_with_bad_text(query) is None
    assert request_part_with_bad_text(_scope(query, quote("/v1/楼/👍\u200b").encode())) is None


@given(st.lists(st.tuples(NAMES, TEXT), min_size=1, max_size=5), st.data(), BAD)
def test_a_spoiled_value_is_found_and_named(pairs, data, bad):
    spoiled = data.draw(st.integers(0, len(pairs) - 1))
    encoded = [urlencode([pair]).encode() for pair in pairs]
    name, value = pairs[spoiled]
    cut = data.draw(st.integers(0, len(value)))
    encoded[spoiled] = (quote(name, safe="").encode() + b"=" + quote(value[:cut], safe="").encode()
                        + quote(bad, safe="").encode() + quote(value[cut:], safe="").encode())
    query = b"&".join(encoded)
    # The model: the first pair that was spoiled on purpose is the one named.
    assert form_field_with_bad_text(query) == name
    assert request_part_with_bad_text(_scope(query)) == f"query.{name}"
    assert request_part_with_bad_text(_scope(b"", b"/v1/a" + quote(bad).encode())) == "path"


def test_charset_parameters():
    assert declared_charset("application/json") is None
    assert declared_charset('application/json; Charset="UTF-8"') == "utf-8"
    assert declared_charset("application/json;charset=gbk;x=y") == "gbk"
