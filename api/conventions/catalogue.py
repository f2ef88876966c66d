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
    "wechat_code_invalid": ProblemKind(400, "微信登录凭证无效或已使用", "The WeChat code is invalid or was used"),
    "unauthenticated": ProblemKind(401, "需要登录凭据", "An access token is required"),
    "invalid_token": ProblemKind(401, "访问令牌无效", "The access token is not valid"),
    "token_expired": ProblemKind(401, "访问令牌已过期", "The access token has expired"),
    "invalid_client": ProblemKind(401, "客户端认证失败", "Client authentication failed"),
    "insufficient_scope": ProblemKind(403, "权限范围不足", "The token lacks the required scope"),
    "not_allowed": ProblemKind(403, "无权执行此操作", "You may not do this"),
    "person_required": ProblemKind(403, "此操作需要居民身份登录", "This needs a signed-in person"),
    "wechat_user_blocked": ProblemKind(403, "微信已限制该用户登录", "WeChat has blocked this user"),
    "miniprogram_required": ProblemKind(
        403, "此操作需要通过有效的小程序客户端登录", "This needs a sign-in through an active mini-program client"
    ),
    "platform_client_readonly": ProblemKind(
        403, "平台客户端只能由运维命令管理", "Platform clients are managed by the operator command"
    ),
    "not_found": ProblemKind(404, "资源不存在", "The resource was not found"),
    "method_not_allowed": ProblemKind(405, "不支持该请求方法", "The method is not allowed here"),
    "already_exists": ProblemKind(409, "资源已存在", "The resource already exists"),
    "duplicate_external_id": ProblemKind(409, "外部编号已被使用", "The external_id is already in use"),
    "duplicate_unit_label": ProblemKind(409, "该楼栋已有此门牌号", "The building already has this unit label"),
    "already_member": ProblemKind(409, "已是该户成员", "You are already a member of this household"),
    "role_already_held": ProblemKind(409, "该人员已担任此角色", "The person already holds this role"),
    "duplicate_appid": ProblemKind(409, "该小程序 AppID 已被登记", "The appid is already registered"),
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
    "invalid_invite": ProblemKind(422, "邀请码无效、已使用或已过期", "The invite code is invalid, used or expired"),
    "person_not_in_street": ProblemKind(
        422, "该人员不是本街道的居民或工作人员，请使用角色邀请码", "The person is not known in this street; use a role invite"
    ),
    "invalid_role_scope": ProblemKind(422, "角色与范围不匹配", "The role does not fit that scope"),
    "rate_limited": ProblemKind(429, "请求过于频繁", "Too many requests"),
    "internal_error": ProblemKind(500, "服务器内部错误", "Internal server error"),
    "wechat_app_misconfigured": ProblemKind(
        502, "微信拒绝了小程序的 AppID 或密钥，请联系街道平台", "WeChat refused the mini-program's appid or secret"
    ),
    "wechat_error": ProblemKind(502, "微信接口返回异常", "WeChat gave an unexpected answer"),
    "service_unavailable": ProblemKind(503, "服务暂时不可用", "The service is temporarily unavailable"),
    "wechat_rate_limited": ProblemKind(503, "微信接口调用过于频繁，请稍后重试", "WeChat's quota is reached; retry later"),
    "wechat_unavailable": ProblemKind(503, "微信接口暂时不可用", "WeChat is temporarily unavailable"),
    # Webhooks (issue 4)
    "webhook_url_not_allowed": ProblemKind(
        422, "不允许向该地址推送：须为 https 公网地址，或在白名单内",
        "Webhooks may not go to this URL: it must be https on a public address, or on the allowlist"),
    "too_many_webhook_endpoints": ProblemKind(
        422, "本街道的推送端点已达上限", "The street has the maximum number of webhook endpoints"),
    "webhook_endpoint_disabled": ProblemKind(
        409, "推送端点已停用，请先启用", "The webhook endpoint is disabled; enable it first"),
    "delivery_in_progress": ProblemKind(409, "该推送正在发送中", "The delivery is being attempted right now"),
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
    "nul_character": ("不能包含 NUL 字符", "Must not contain a NUL character"),
    "offset_required": ("时间必须带时区偏移（RFC 3339）", "The time needs an offset (RFC 3339)"),
    "invalid_url": ("应为不含用户名密码的 http(s) 绝对地址", "Must be an absolute http(s) URL without credentials"),
    "invalid_event_type": ("事件类型应形如 task.created 或 task.*", "An event type looks like task.created or task.*"),
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
