"""Text on the wire is UTF-8 (RFC 3629, RFC 8259 §8.1).

A request whose body, query string, path or header value holds bytes that are not strict
UTF-8 — stray bytes, overlong forms such as ``C0 AF``, CESU-8 surrogate halves such as
``ED A0 80``, truncated sequences — is refused with 400 ``malformed_body`` before anything
decodes it, instead of reaching a decoder that raises (a 500) or one that silently puts
U+FFFD in its place. Python's own UTF-8 codec refuses exactly these forms, so it is the
validator; percent-encoded text is unescaped to bytes first. Pure functions, no I/O."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

UTF8_CHARSETS = frozenset({"utf-8", "utf8"})


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _unescaped_is_utf8(data: bytes, *, plus_is_space: bool) -> bool:
    if plus_is_space:
        data = data.replace(b"+", b" ")
    return is_utf8(unquote_to_bytes(data))


def form_field_with_bad_text(data: bytes) -> str | None:
    """The first ``name=value`` pair of a query string or form body whose text is not UTF-8:
    its name when the name itself decodes, else "" (the whole string is at fault)."""
    for pair in data.split(b"&"):
        name, _, _ = pair.partition(b"=")
        if not _unescaped_is_utf8(pair, plus_is_space=True):
            if _unescaped_is_utf8(name, plus_is_space=True):
                return unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
            return ""
    return None


def request_part_with_bad_text(scope: dict) -> str | None:
    """Where in the request line or headers the text is not UTF-8, as an error field name
    (``query.from``, ``query``, ``path``, ``header.if-match``), or None when all of it is."""
    query = scope.get("query_string", b"")
    if query and (name := form_field_with_bad_text(query)) is not None:
        return f"query.{name}" if name else "query"
    raw_path = scope.get("raw_path")
    if raw_path is not None:
        if not _unescaped_is_utf8(raw_path.partition(b"?")[0], plus_is_space=False):
            return "path"
    elif "\ufffd" in scope["path"]:  # a server without raw_path already replaced the bytes
        return "path"
    for name, value in scope["headers"]:
        if not value.isascii() and not is_utf8(value):
            return "header." + name.decode("latin-1").lower()
    return None


def declared_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type, lower-cased and unquoted, if any."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').strip().lower()
    return None
