"""Every problem kind the API answers with: its stable code, status and titles in both
languages. One table, so that a code means the same thing on every route."""

from __future__ import annotations

from typing import NamedTuple


class ProblemKind(NamedTuple):
    status: int
    zh: str
    en: str


PROBLEMS: dict[str, ProblemKind] = {
    "malformed_body": ProblemKind(400, "请求体无法解析", "The request body could not be parsed"),
    "validation_failed": ProblemKind(400, "请求参数不符合要求", "The request did not validate"),
    "invalid_cursor": ProblemKind(400, "分页游标无效", "The paging cursor is not valid"),
    "invalid_idempotency_key": ProblemKind(400, "幂等键无效", "The Idempotency-Key is not valid"),
    "unsupported_grant_type": ProblemKind(400, "不支持的授权类型", "The grant type is not supported"),
    "invalid_grant": ProblemKind(400, "授权凭据无效", "The grant is not valid"),
    "invalid_scope": ProblemKind(400, "申请的权限范围超出客户端授权", "The scope exceeds the client's grant"),
    "unauthenticated": ProblemKind(401, "需要登录凭据", "An access token is required"),
    "invalid_token": ProblemKind(401, "访问令牌无效", "The access token is not valid"),
    "token_expired": ProblemKind(401, "访问令牌已过期", "The access token has expired"),
    "invalid_client": ProblemKind(401, "客户端认证失败", "Client authentication failed"),
    "insufficient_scope": ProblemKind(403, "权限范围不足", "The token lacks the required scope"),
    "not_allowed": ProblemKind(403, "无权执行此操作", "You may not do this"),
    "not_found": ProblemKind(404, "资源不存在", "The resource was not found"),
    "method_not_allowed": ProblemKind(405, "不支持该请求方法", "The method is not allowed here"),
    "already_exists": ProblemKind(409, "资源已存在", "The resource already exists"),
    "duplicate_external_id": ProblemKind(409, "外部编号已被使用", "The external_id is already in use"),
    "duplicate_unit_label": ProblemKind(409, "该楼栋已有此门牌号", "The building already has this unit label"),
    "idempotency_key_in_use": ProblemKind(
        409, "相同幂等键的请求仍在处理中", "A request with this Idempotency-Key is still running"
    ),
    "precondition_failed": ProblemKind(
        412, "资源已被修改，请重新读取", "The resource changed since you read it"
    ),
    "payload_too_large": ProblemKind(413, "请求体过大", "The request body is too large"),
    "unsupported_media_type": ProblemKind(
        415, "不支持的内容类型", "The content type is not supported"
    ),
    "idempotency_key_reused": ProblemKind(
        422, "幂等键已用于不同的请求", "The Idempotency-Key was used for a different request"
    ),
    "rate_limited": ProblemKind(429, "请求过于频繁", "Too many requests"),
    "internal_error": ProblemKind(500, "服务器内部错误", "Internal server error"),
    "service_unavailable": ProblemKind(503, "服务暂时不可用", "The service is temporarily unavailable"),
}

# Messages for field-level errors (``errors[].message``), by field error code.
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_value": ("取值无效", "The value is not valid"),
    "invalid_area": (
        "面积应为不小于 0、最多两位小数的数值", "The area must be a number ≥ 0 with at most two decimals"
    ),
    "invalid_choice": ("取值不在允许范围内", "The value is not one of the allowed choices"),
    "out_of_range": ("数值超出范围 {min}–{max}", "The number must be within {min}–{max}"),
    "required": ("缺少必填字段", "This field is required"),
    "wrong_type": ("类型不正确：{expected}", "Wrong type: expected {expected}"),
    "constraint_violated": ("不满足约束：{expected}", "Must be {expected}"),
    "unknown_field": ("不允许的字段", "This field is not allowed"),
    "blank": ("不能为空", "Must not be blank"),
    "offset_required": ("时间必须带时区偏移（RFC 3339）", "The time needs an offset (RFC 3339)"),
}


def title(code: str, language: str) -> str:
    kind = PROBLEMS[code]
    return kind.en if language == "en" else kind.zh


def field_message(code: str, language: str, params: dict[str, object]) -> str:
    zh, en = FIELD_MESSAGES.get(code, FIELD_MESSAGES["invalid_value"])
    template = en if language == "en" else zh
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
