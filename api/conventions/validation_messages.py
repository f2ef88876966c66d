"""msgspec's validation messages, read into field error codes and parameters that the
catalogue renders in the caller's language.

msgspec says what failed in English with its own type names and the raw regular expression
("Expected `str` matching regex '^[\\x21-\\x7e]+$'"); clients are promised messages in
zh-CN or en that say what to send. msgspec has no structured error, so its few message
shapes are matched here, once, and everything the API shows is rendered from templates."""

from __future__ import annotations

import re
from typing import Any

# msgspec: "Expected `int` >= 1", "Expected `str` of length <= 100, got `int`"
_EXPECTED = re.compile(r"Expected `(?P<expected>[^`]+)`(?P<rest>(?:(?!, got| - at).)*)")
_BOUND = re.compile(r"^(?P<length>of length )?(?P<op>>=|<=|>|<) (?P<limit>-?[\d.e+]+)$")
_MULTIPLE = re.compile(r"^that's a multiple of (?P<limit>[\d.e+-]+)$")
_REGEX = re.compile(r"^matching regex '(?P<pattern>.*)'$", re.DOTALL)

# msgspec type names -> (zh, en)
_TYPES = {
    "int": ("整数", "an integer"), "float": ("数字", "a number"), "str": ("字符串", "a string"),
    "bool": ("布尔值（true 或 false）", "true or false"), "null": ("null", "null"),
    "array": ("数组", "an array"), "object": ("对象", "an object"),
    "datetime": ("带时区偏移的 RFC 3339 时间", "an RFC 3339 time with an offset"),
    "date": ("日期，例如 2026-12-01", "a date such as 2026-12-01"),
    "time": ("时刻，例如 08:30", "a time of day such as 08:30"),
    "uuid": ("UUID", "a UUID"), "decimal": ("十进制数", "a decimal number"),
}
_OPS = {">=": ("不小于", "at least"), ">": ("大于", "more than"), "<=": ("不大于", "at most"),
        "<": ("小于", "less than")}
_UNITS = {"str": ("个字符", "characters"), "array": ("项", "items"), "object": ("项", "entries")}


# Plain words for the patterns of the schema, by the exact pattern text. A module that
# defines a pattern registers its words beside it (``described``), so a changed pattern
# cannot leave a stale description behind; literal patterns used in one place are listed here.
_FORMATS: dict[str, tuple[str, str]] = {}


def described(pattern: str, zh: str, en: str, *aliases: str) -> str:
    """Register the words for ``pattern`` (as written, as msgspec quotes it with repr, where a
    backslash shows doubled, and by the names ``read`` gives it); returns the pattern, for use
    in a ``Meta``."""
    for name in (pattern, repr(pattern)[1:-1], *aliases):
        _FORMATS[name] = (zh, en)
    return pattern


for _pattern, _zh, _en in (
    (r"^[\x21-\x7e]+$", "可打印 ASCII 字符（不含空格），至少 1 个", "printable ASCII characters without spaces, at least one"),
    (r"^[\x21-\x7e]*$", "可打印 ASCII 字符（不含空格）", "printable ASCII characters without spaces"),
    (r"^wx[0-9a-z]{16}$", "小程序 AppID：wx 加 16 个小写字母或数字", "a mini-program appid: wx and 16 lower-case letters or digits"),
    (r"^[a-z][a-z_]{0,31}$", "以小写字母开头、由小写字母和下划线组成，最多 32 个字符",
     "lower-case letters and underscores, starting with a letter, at most 32"),
    (r"^\d{1,8}(\.\d{1,2})?$", "不小于 0、最多两位小数的数字", "a number ≥ 0 with at most two decimals"),
    (r"^[A-Za-z0-9_-]+$", "字母、数字、下划线或连字符", "letters, digits, underscores or hyphens"),
):
    described(_pattern, _zh, _en)


def read(message: str) -> tuple[str, dict[str, Any]]:
    """A msgspec message (without its " - at `$.x`" tail) as (field error code, params)."""
    if match := _EXPECTED.search(message):
        expected, rest = match["expected"], match["rest"].strip()
        if not rest:
            return "wrong_type", {"type": expected}
        if rest == "with a timezone component":
            return "offset_required", {}
        if rest == "with no timezone component":
            return "offset_forbidden", {}
        if bound := _BOUND.match(rest):
            kind = "length" if bound["length"] else "bound"
            return "constraint_violated", {"kind": kind, "type": expected, "op": bound["op"], "limit": bound["limit"]}
        if multiple := _MULTIPLE.match(rest):
            return "constraint_violated", {"kind": "multiple", "type": expected, "limit": multiple["limit"]}
        if regex := _REGEX.match(rest):
            return "constraint_violated", {"kind": "format", "pattern": regex["pattern"]}
        return "invalid_value", {}
    if message.startswith("Invalid enum value"):
        return "invalid_choice", {}
    if message.startswith("Invalid RFC3339"):
        return "constraint_violated", {"kind": "format", "pattern": "rfc3339"}
    return "invalid_value", {}


def _type_words(expected: str, index: int) -> str:
    words = [_TYPES.get(part.strip(), ("", ""))[index] for part in expected.split("|")]
    if not all(words):
        return "正确的类型" if index == 0 else "the right type"
    return ("或" if index == 0 else " or ").join(words)


def requirement(params: dict[str, Any], language: str) -> str:
    """The localised words for what a value must be, from ``read``'s params."""
    index = 1 if language == "en" else 0
    kind = params.get("kind")
    if kind == "format":
        pattern = params.get("pattern", "")
        return _FORMATS.get(pattern, ("符合规定的格式", "in the documented format"))[index]
    type_words = _type_words(params.get("type", ""), index)
    limit = params.get("limit", "")
    if kind == "multiple":
        return f"{type_words}，且为 {limit} 的整数倍" if index == 0 else f"{type_words} that is a multiple of {limit}"
    op = _OPS.get(params.get("op", ""), ("", ""))[index]
    if kind == "length":
        unit = _UNITS.get(params.get("type", ""), ("项", "items"))[index]
        if index == 1 and limit == "1":
            unit = unit.removesuffix("s").replace("entrie", "entry")
        return f"{type_words}，长度{op} {limit} {unit}" if index == 0 else f"{type_words} of {op} {limit} {unit}"
    return f"{op} {limit} 的{type_words}" if index == 0 else f"{type_words}, {op} {limit}"


def localised_params(code: str, params: dict[str, Any], language: str) -> dict[str, Any]:
    """Params as the catalogue's templates use them: type names and requirements in words."""
    if code == "wrong_type":
        return {**params, "expected": _type_words(params.get("type", ""), 1 if language == "en" else 0)}
    if code == "constraint_violated" and "kind" in params:
        return {**params, "expected": requirement(params, language)}
    return params
