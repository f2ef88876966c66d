"""Examples for the contract that a reader (and a generator's mock server) can use as they are:
derived from what the schema says — a declared example, else the field's name (an id of the
right kind, a phone number, a time), its format, its pattern (the smallest string the regular
expression matches) and its bounds — and never a placeholder like ``x``. Every example is
checked against its schema by tests/contract/test_openapi_contract.py."""

from __future__ import annotations

import re

# the parser of the ``re`` module itself, so a pattern means here what it means to the server
import re._constants as sre_constants  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from typing import Any

from domain.ids import PREFIXES

STAMP = "2026-11-22T08:00:00Z"
_ID_TAIL = "8m3k9x2q7r5t1v4w"  # 16 characters of the id alphabet
_BY_NAME: dict[str, Any] = {
    "phone": "13800138000", "email": "resident@example.cn", "url": "https://hooks.example.cn/bilin",
    "feed_url": "https://api.example.cn/v1/spaces/spc_8m3k9x2q7r5t1v4w/calendar.ics?token=cal_3b7f",
    "timezone": "Asia/Shanghai", "time_zone": "Asia/Shanghai", "currency": "CNY", "locale": "zh-CN",
    "name": "阳光花园", "title": "增设电动车充电桩", "description": "楼道堆放纸箱，有火灾隐患",
    "display_name": "张阿姨", "nickname": "张阿姨", "real_name": "张三", "address": "长宁路 100 弄",
    "unit_label": "3-502", "label": "3-502", "purpose": "楼组议事会", "note": "已采购灯泡，明天安装",
    "body": "支持！建议装在车棚东侧。", "comment": "处理很及时", "location": "3 楼楼道", "reason": "duplicate",
    "type": "report.created", "status": "open", "code": "not_found", "scope": "street:read street:write",
    "secret": "whsec_MfKQ9r8GdvBqx1vPz8p5", "token": "cal_3b7f9k2m", "detail": "这个资源不存在。",
    "title_zh": "资源不存在", "title_en": "Not found", "request_id": "req_8m3k9x2q7r5t1v4w",
    "instance": "/v1/reports/rpt_8m3k9x2q7r5t1v4w", "problem_type": "https://bilin.example.cn/problems/not_found",
    "pointer": "/title", "field": "title", "message": "必填", "etag": '"8m3k9x2q"', "area": "85.50",
    "appid": "wx1234567890abcdef", "external_id": "JY-0001", "color": "#2f6fde",
}
_INTEGER_BY_NAME = {"floors": 18, "capacity": 20, "rating": 5, "points": 10, "position": 42, "limit": 20,
                    "count": 3, "expires_in": 900, "status": 404, "attempts": 1, "minutes": 60, "row": 2}


def _kind_of(name: str) -> str | None:
    """``community_id`` → community; a bare ``id`` takes the kind from its schema's name."""
    base = name.removesuffix("_id")
    if base in PREFIXES:
        return base
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()
    for kind in sorted(PREFIXES, key=len, reverse=True):
        if snake == kind or snake.startswith(kind + "_") or snake.endswith("_" + kind):
            return kind
    return None


def id_example(kind: str) -> str:
    return f"{PREFIXES[kind]}_{_ID_TAIL}"


def smallest_match(pattern: str) -> str | None:
    """The shortest string ``pattern`` matches, built from its parse tree; None when it uses
    what this does not model (then the caller falls back)."""
    try:
        tree = sre_parse.parse(pattern)
        built = _build(tree)
    except (re.error, ValueError, KeyError, TypeError, RecursionError):
        return None
    return built if re.search(pattern, built) else None


def _pick_in(items: list) -> str:
    negate = any(op == sre_constants.NEGATE for op, _ in items)
    if negate:  # any character not excluded: try friendly ones first
        for candidate in "a0A-_.":
            if not re.fullmatch(_negated_class(items), candidate):
                return candidate
        raise ValueError("no character")
    op, value = items[0]
    if op == sre_constants.LITERAL:
        return chr(value)
    if op == sre_constants.RANGE:
        low, high = value
        for candidate in "a0A":  # a readable character when the range holds one
            if low <= ord(candidate) <= high:
                return candidate
        return chr(low)
    if op == sre_constants.CATEGORY:
        return _category(value)
    raise ValueError(op)


def _negated_class(items: list) -> str:
    """A character class equivalent to the negated ``items`` (for checking a candidate)."""
    parts = []
    for op, value in items:
        if op == sre_constants.LITERAL:
            parts.append(re.escape(chr(value)))
        elif op == sre_constants.RANGE:
            parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif op == sre_constants.CATEGORY:
            parts.append({"CATEGORY_DIGIT": r"\d", "CATEGORY_SPACE": r"\s", "CATEGORY_WORD": r"\w"}[str(value)])
    return f"[{''.join(parts)}]"


def _category(value: Any) -> str:
    return {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " ",
            "CATEGORY_NOT_DIGIT": "a", "CATEGORY_NOT_SPACE": "a", "CATEGORY_NOT_WORD": "-"}[str(value)]


def _build(tree: Any) -> str:
    out = []
    for op, value in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(value))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(value) != "a" else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_pick_in(value))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = value
            out.append(_build(sub) * low)
        elif name == "SUBPATTERN":
            out.append(_build(value[-1]))
        elif name == "ATOMIC_GROUP":
            out.append(_build(value))
        elif name == "BRANCH":
            out.append(min((_build(branch) for branch in value[1]), key=len))
        elif name == "CATEGORY":
            out.append(_category(value))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        else:
            raise ValueError(name)
    return "".join(out)


def _string(schema: dict[str, Any], name: str | None, owner: str | None) -> str:
    fmt = schema.get("format")
    if fmt == "date-time":
        return STAMP
    if fmt == "date":
        return STAMP[:10]
    if fmt in ("uri", "url"):
        return _BY_NAME["url"]
    if fmt == "email":
        return _BY_NAME["email"]
    minimum, maximum = schema.get("minLength", 0), schema.get("maxLength", 10_000)
    pattern = schema.get("pattern")
    candidates = []
    kind = _kind_of(name) if name and (name == "id" or name.endswith("_id")) else None
    if (name == "id" or (name or "").endswith("_of")) and owner:  # duplicate_of: one of its own kind
        kind = _kind_of(owner)
    if kind:
        candidates.append(id_example(kind))
    if name in _BY_NAME:
        candidates.append(_BY_NAME[name])
    if name and name.endswith(("_url", "_urls")):
        candidates.append("https://img.example.cn/reports/rpt_8m3k9x2q7r5t1v4w/1.jpg")
    if name and name.endswith(("_at", "_since", "_until")):
        candidates.append(STAMP)
    candidates.append("示例")
    if pattern:
        candidates.append(smallest_match(pattern))
    for candidate in candidates:
        if (isinstance(candidate, str) and minimum <= len(candidate) <= maximum
                and (not pattern or re.search(pattern, candidate))):
            return candidate
    return "a" * max(1, minimum)


def example_for(schema: Any, components: dict[str, Any], depth: int = 0, *, name: str | None = None,
                owner: str | None = None) -> Any:
    """An example that validates against ``schema``: declared examples first, else a value
    derived from the field's ``name``, the schema's format, pattern and bounds. ``owner`` is
    the name of the component whose property this is (a bare ``id`` takes its kind from it)."""
    if not isinstance(schema, dict) or depth > 12:
        return None
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        return example_for(components.get(ref), components, depth + 1, name=name, owner=ref)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example_for(options[0], components, depth + 1, name=name, owner=owner)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        title = schema.get("title") or owner
        return {prop_name: example_for(prop, components, depth + 1, name=prop_name, owner=title)
                for prop_name, prop in (schema.get("properties") or {}).items()}
    if kind == "array":
        items = schema.get("items")
        count = max(1, schema.get("minItems", 1)) if items else 0
        return [example_for(items, components, depth + 1, name=name, owner=owner) for _ in range(count)]
    if kind == "string":
        return _string(schema, name, owner)
    if kind in ("integer", "number"):
        value = _INTEGER_BY_NAME.get(name or "", 1)
        low, high = schema.get("minimum", schema.get("exclusiveMinimum", 0)), schema.get("maximum")
        if value < low or (isinstance(schema.get("exclusiveMinimum"), (int, float)) and value <= low):
            value = low + (1 if "exclusiveMinimum" in schema else 0)
        if high is not None and value > high:
            value = high
        return value
    if kind == "boolean":
        return True
    return None
