"""Every problem kind the API answers with: its stable code, status and titles in both
languages. One table, so that a code means the same thing on every route. What each code
means and how to fix it (the ``detail`` of a problem, the ``/problems/{code}`` page) is in
``problem_help.toml`` beside this module, kept as data so the texts read as texts."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, NamedTuple


class ProblemKind(NamedTuple):
    status: int
    zh: str
    en: str


PROBLEMS: dict[str, ProblemKind] = {
    "malformed_body": ProblemKind(400, "请求无法解析", "The request could not be parsed"),
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
    "content_rejected": ProblemKind(422, "内容未通过微信内容安全检测", "The text did not pass WeChat's content check"),
    "invalid_invite": ProblemKind(422, "邀请码无效、已使用或已过期", "The invite code is invalid, used or expired"),
    "person_not_in_street": ProblemKind(
        422, "该人员不是本街道的居民或工作人员，请使用角色邀请码", "The person is not known in this street; use a role invite"
    ),
    "invalid_role_scope": ProblemKind(422, "角色与范围不匹配", "The role does not fit that scope"),
    "area_required_to_vote": ProblemKind(
        422, "参与表决的房屋须有大于 0 的专有面积", "A household that votes needs an area above zero"),
    "role_not_in_scope": ProblemKind(
        422, "该角色不属于此路径的范围", "The role does not belong to the scope of this path"
    ),
    "own_invite": ProblemKind(422, "不能使用自己发出的邀请码", "You cannot redeem an invite you issued"),
    "not_voter_at_opening": ProblemKind(
        422, "表决开始时您不是该户的投票人，不能投出或更改该户的选票",
        "You were not a voter of this household when the vote opened"
    ),
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
    # Shared spaces and bookings (issue 7)
    "booking_conflict": ProblemKind(409, "该时段已被预约", "The time overlaps another booking"),
    "booking_transition_not_allowed": ProblemKind(
        409, "预约当前状态不允许此变更", "The booking's status does not allow this change"),
    "outside_opening_hours": ProblemKind(422, "不在开放时间内", "The time is outside the opening hours"),
    "off_slot_grid": ProblemKind(422, "起止时间不在时段格上", "Start and end must be on the slot grid"),
    "too_short": ProblemKind(422, "预约时长过短", "The booking is shorter than the minimum"),
    "too_long": ProblemKind(422, "预约时长过长", "The booking is longer than the maximum"),
    "too_far_ahead": ProblemKind(422, "超出可提前预约的天数", "The time is too far ahead"),
    "too_late_to_book": ProblemKind(422, "距开始时间太近或已过去，无法预约", "It is too late to book this time"),
    "quota_exceeded": ProblemKind(422, "本户本周预约时长已用完", "The household's weekly quota is used up"),
    "booking_suspended": ProblemKind(
        422, "因多次未到场，本户预约权暂停", "The household's booking right is suspended after no-shows"),
    "not_eligible": ProblemKind(422, "无权预约该空间", "You may not book this space"),
    "household_required": ProblemKind(
        422, "您属于多个住户，请指定 household_id", "You belong to several households: name household_id"),
    "over_capacity": ProblemKind(422, "人数超过空间容量", "More attendees than the space holds"),
    "cancel_too_late": ProblemKind(422, "已过取消截止时间", "It is too late to cancel"),
    "invalid_space_rules": ProblemKind(
        422, "空间规则不一致（时长须为时段的整数倍且最短不超过最长；社区空间不能仅限本楼）",
        "The space's rules do not fit together (lengths are multiples of the slot, min ≤ max; "
        "a community space cannot be limited to one building)"),
    "invalid_opening_hours": ProblemKind(
        422, "开放时间段须按时间先后且互不重叠", "Opening ranges must end after they start and not overlap"),
    "invalid_period": ProblemKind(
        422, "时间段无效：须为 2000–2100 年间的真实时间，结束晚于开始", "The period must be real times in 2000–2100, ending after it starts"),
    "not_in_check_in_window": ProblemKind(
        422, "只能在开始前后 15 分钟内签到", "Check-in is open from 15 minutes before to 15 minutes after the start"),
    # Proposals and decisions (issue 5)
    "wrong_stage": ProblemKind(409, "议题当前阶段不允许此操作", "The proposal's stage does not allow this"),
    "vote_not_open": ProblemKind(409, "投票尚未开始", "The vote is not open yet"),
    "vote_closed": ProblemKind(409, "投票已截止", "The vote has closed"),
    "already_supported": ProblemKind(409, "本户已附议该议题", "Your household already supports this proposal"),
    "already_evaluated": ProblemKind(409, "本户已评价该议题", "Your household already rated this proposal"),
    "no_ballot": ProblemKind(409, "本户尚未投票", "Your household has not voted"),
    "household_not_eligible": ProblemKind(
        422, "您没有可代表参与的住户（投票须为本楼在册住户的户主或业主）",
        "No household you may act for here (a ballot needs the head or an owner of a household on the roll)"),
    "stats_id_required": ProblemKind(
        422, "按社区或楼栋统计须指明是哪一个社区或楼栋", "A community or building scope needs the place's id"),
    "ballot_required": ProblemKind(422, "开启投票须提供 ballot 设置", "Opening the vote needs the ballot settings"),
    "reason_required": ProblemKind(422, "不予立项须说明理由", "Dismissing needs a reason"),
    "duplicate_of_required": ProblemKind(422, "请用 duplicate_of 指明与哪一项重复", "Name what it duplicates in duplicate_of"),
    "invalid_duplicate_of": ProblemKind(
        422, "duplicate_of 须为同一楼栋的另一项（议题或上报）", "duplicate_of must be another item of the same building"),
    "invalid_outcome": ProblemKind(422, "只有关闭议题时才能指定 outcome", "An outcome goes only with to = closed"),
    "outcome_required": ProblemKind(422, "关闭议题须说明 outcome", "Closing needs an outcome"),
    "options_required": ProblemKind(422, "开启投票前至少需要一个选项", "The vote needs at least one option"),
    "too_many_options": ProblemKind(422, "选项数量已达上限", "The proposal has the maximum number of options"),
    "opens_in_past": ProblemKind(422, "投票开始时间不能早于现在", "The vote cannot open in the past"),
    "vote_too_short": ProblemKind(422, "投票时间短于本楼规则的最短时长", "The vote is shorter than the building's minimum"),
    "too_many_choices": ProblemKind(422, "可选数量不能超过选项数", "max_choices exceeds the number of options"),
    "invalid_ballot": ProblemKind(
        422, "选票不符合投票设置（单一选项用 choice，多个选项用 option_ids）",
        "The ballot does not fit the vote (choice for one option, option_ids for several)"),
    "invalid_parent": ProblemKind(422, "回复的评论不属于该议题", "The parent comment is not on this proposal"),
    # Tasks and reports (issue 6)
    "wrong_task_status": ProblemKind(409, "任务当前状态不允许此操作", "The task's status does not allow this"),
    "wrong_report_status": ProblemKind(409, "上报当前状态不允许此操作", "The report's status does not allow this"),
    # Announcements and questions (the community part §10)
    "wrong_announcement_status": ProblemKind(
        409, "公告当前状态不允许此操作", "The announcement's status does not allow this"),
    "acknowledgement_not_required": ProblemKind(
        422, "该公告无需确认知晓", "The announcement does not ask for acknowledgement"),
    "wrong_question_status": ProblemKind(409, "问题当前状态不允许此操作", "The question's status does not allow this"),
    "invalid_accepted_answer": ProblemKind(
        422, "采纳的回答不属于该问题", "The accepted answer is not an answer to this question"),
    "transition_reason_required": ProblemKind(
        422, "退回、取消或驳回须说明理由", "Sending back, cancelling or rejecting needs a reason"),
    "invalid_source": ProblemKind(
        422, "任务来源无效（source_id 须为本楼的议题）", "The source is not valid (source_id must be a proposal of the building)"),
    "invalid_assignee": ProblemKind(
        422, "负责人无效（须为已有人员或本街道的组织）", "The assignee must be a known person or an organisation of the street"),
    "invalid_buildings": ProblemKind(
        422, "派单的楼栋无效或不在范围内", "The buildings of the dispatch are unknown or out of its scope"),
    "too_many_buildings": ProblemKind(422, "一次派单的楼栋过多", "The dispatch reaches too many buildings"),
    "import_kind_unknown": ProblemKind(422, "不支持的导入类型", "The import kind is not known"),
    "import_mode_unsupported": ProblemKind(422, "不支持的导入模式", "The import mode is not supported"),
    "import_encoding_unknown": ProblemKind(422, "无法识别文件编码", "The file's encoding is not recognised"),
    "import_file_empty": ProblemKind(422, "导入文件为空", "The import file is empty"),
    "import_column_missing": ProblemKind(422, "导入文件缺少必填列", "The import file lacks a required column"),
    "import_column_duplicate": ProblemKind(422, "导入文件有重复的列", "The import file names a column twice"),
    "import_finished": ProblemKind(409, "导入任务已结束", "The import has already finished"),
    "invalid_due_at": ProblemKind(422, "截止时间须在 2000–2100 年之间", "due_at must be within 2000–2100"),
    # Photos (issue 14)
    "media_empty": ProblemKind(422, "上传的文件为空", "The uploaded file is empty"),
    "media_too_large": ProblemKind(413, "图片超过 10 MB", "The photo is larger than 10 MB"),
    "media_unsupported_type": ProblemKind(
        415, "只接受 JPEG、PNG、WebP 或 HEIC 图片", "Only JPEG, PNG, WebP or HEIC photos are accepted"),
    "media_damaged": ProblemKind(422, "图片已损坏或不完整", "The photo is damaged or incomplete"),
    "media_too_many_pixels": ProblemKind(422, "图片像素过多", "The photo has too many pixels"),
    "media_not_attachable": ProblemKind(
        422, "照片不存在或不是您上传的", "The photo does not exist or was not uploaded by you"),
    "media_storage_unavailable": ProblemKind(503, "照片存储暂时不可用", "Photo storage is temporarily unavailable"),
    # points and rewards (the community spec §7)
    "insufficient_points": ProblemKind(422, "可用积分不足", "Not enough available points"),
    "award_cap_reached": ProblemKind(422, "今日奖励积分已达上限", "Today's award cap is reached"),
    "out_of_stock": ProblemKind(409, "奖品已兑完", "The reward is out of stock"),
    "reward_inactive": ProblemKind(409, "奖品已下架", "The reward is not offered now"),
    "limit_per_person_reached": ProblemKind(422, "已达每人兑换上限", "The limit per person is reached"),
    "pickup_code_mismatch": ProblemKind(422, "取件码不正确", "The pickup code does not match"),
    "redemption_not_pending": ProblemKind(409, "兑换已处理，无法再变更", "The redemption is no longer pending"),
    # the self-governance fund (the community spec §13)
    "duplicate_voucher": ProblemKind(409, "该凭证号已在本基金登记", "This voucher is already recorded in the fund"),
    "insufficient_fund": ProblemKind(422, "自治金可用余额不足", "The fund's available amount does not cover it"),
    "exceeds_reservation": ProblemKind(422, "支出超过预算尚未使用的部分", "The expense exceeds the unspent reservation"),
    "wrong_expense_status": ProblemKind(409, "支出当前状态不允许此操作", "The expense's status does not allow this"),
    "already_approved": ProblemKind(409, "您已审批过该支出", "You have already approved this expense"),
    "claimant_cannot_approve": ProblemKind(403, "报销人不能审批自己的支出", "The claimant cannot approve their own expense"),
    "rejection_reason_required": ProblemKind(422, "驳回支出须说明理由", "Rejecting an expense needs a reason"),
    "invalid_provider": ProblemKind(422, "提供单位不是本街道的组织", "The provider is not an organisation of the street"),
    # Conventions and rules of procedure adopted by vote (the community spec §11)
    "document_not_in_force": ProblemKind(404, "该文件尚无生效版本", "The document has no version in force"),
    "document_already_filed": ProblemKind(409, "该版本已备案", "The version was filed already"),
    "document_amendment_stale": ProblemKind(
        409, "修订所依据的版本已不再生效", "The version the amendment changes is no longer in force"),
    "document_amendment_in_vote": ProblemKind(
        409, "该文件已有另一项修订正在表决", "Another amendment of the document is being voted on"),
    "rules_governed_by_document": ProblemKind(
        409, "议事规则已生效，本楼规则只能经表决修订", "A rules of procedure is in force: the rules change only by vote"),
    "amendment_kind_mismatch": ProblemKind(
        422, "修订文件的议题须带修订内容，其他议题不能带", "An amendment needs kind document_amendment, and only it carries one"),
    "amendment_parameters_not_allowed": ProblemKind(
        422, "居民公约的修订不含规则参数", "An amendment of the convention carries no parameters"),
    "amendment_quorum_required": ProblemKind(
        422, "文件修订须采用有法定人数要求的表决规则", "An amendment is decided by a rule with a quorum"),
    "amendment_single_option": ProblemKind(
        422, "文件修订只对一个选项（修订本身）表决", "An amendment is voted on one option, the amendment itself"),
    # three lists and co-building agreements (the community spec §14)
    "wrong_need_status": ProblemKind(409, "需求当前状态不允许此操作", "The need's status does not allow this"),
    "wrong_project_status": ProblemKind(409, "项目当前状态不允许此操作", "The project's status does not allow this"),
    "wrong_agreement_status": ProblemKind(409, "协议当前状态不允许此操作", "The agreement's status does not allow this"),
    "invalid_organization": ProblemKind(
        422, "组织不是本街道或本社区的组织", "The organisation is not one of the street or of the community"),
    "invalid_project_links": ProblemKind(
        422, "项目关联的需求、资源或组织无效", "A need, resource or organisation of the project is not the community's"),
    "invalid_dates": ProblemKind(
        422, "日期无效：须在 2000–2100 年间，结束不早于开始", "The dates must be within 2000–2100, the end not before the start"),
    "already_signed": ProblemKind(409, "该方已签署", "That side has already signed"),
    "signature_side_required": ProblemKind(
        422, "您可代表双方签署，请指明签署方", "You may sign for both sides: name the side"),
    "agreement_period_over": ProblemKind(422, "协议期限已过，不能再签署", "The agreement's period is over; it can no longer be signed"),
    # 最美楼栋 rating campaigns (the community spec §12)
    "phase_closed": ProblemKind(409, "评选当前阶段不允许此操作", "The campaign's phase does not allow this now"),
    "rater_conflict": ProblemKind(422, "评分人不能为自己居住或负责的楼栋评分", "A rater may not rate their own building"),
    "invalid_campaign_dates": ProblemKind(422, "评选日期无效", "The campaign's dates are not valid"),
    "invalid_criteria": ProblemKind(422, "评选指标无效", "The criteria are not valid"),
    "invalid_scores": ProblemKind(422, "评分须对每项指标各打一个 1–10 分", "Give one score of 1–10 for each criterion"),
    "invalid_issue": ProblemKind(422, "问题编号不属于该楼栋的自评", "The issue is not one of this self-assessment"),
    "building_not_in_scope": ProblemKind(422, "该楼栋不在本次评选范围内", "The building is not in the campaign's scope"),
    "already_nominated": ProblemKind(409, "该楼栋已被推荐", "The building is already nominated"),
    "rater_not_eligible": ProblemKind(422, "该人员不能担任本次评选的评分人", "The person may not rate this campaign"),
    "already_rater": ProblemKind(409, "该人员已是评分人", "The person already rates this campaign"),
    "not_a_rater": ProblemKind(403, "您不是本次评选的评分人", "You are not a rater of this campaign"),
    "issue_has_task": ProblemKind(409, "该问题已转为整改任务", "The issue already has a rectification task"),
    "results_not_published": ProblemKind(409, "评选结果尚未公布", "The results are not published yet"),
    # Activities and the talent pool (issue 17)
    "already_signed_up": ProblemKind(409, "您已报名该活动", "You are already signed up for this activity"),
    "signup_closed": ProblemKind(409, "活动当前不接受报名", "The activity does not take sign-ups now"),
    "wrong_activity_status": ProblemKind(409, "活动当前状态不允许此操作", "The activity's status does not allow this"),
    "attendance_closed": ProblemKind(
        409, "签到只在活动开始前 30 分钟至结束后 48 小时内开放", "Attendance is open from 30 minutes before the start to 48 hours after the end"),
    "signup_not_confirmed": ProblemKind(409, "该报名未确认（候补或已取消），不能签到", "The sign-up is not confirmed"),
    "checkin_token_invalid": ProblemKind(422, "签到码无效或已过期", "The check-in token is wrong or has expired"),
    "points_per_attendee_too_high": ProblemKind(
        422, "每人积分超过街道规定的上限", "points_per_attendee exceeds the street's max_points_per_attendee"),
    "consent_required": ProblemKind(422, "公开特长须先同意当前版本的授权说明", "Showing your talents needs consent to the current version"),
    "unknown_talent_tag": ProblemKind(422, "特长标签不在本街道的标签列表中", "The talent tag is not one of the street's tags"),
    "invitation_not_pending": ProblemKind(409, "邀请已答复", "The invitation was already answered"),
    "invalid_organizer": ProblemKind(422, "组织者不是本街道的人员或组织", "The organizer is no person or organisation of the street"),
    "invalid_space": ProblemKind(422, "场地不存在或您看不到", "The space does not exist or is not visible to you"),
    "capacity_below_confirmed": ProblemKind(
        422, "名额不能少于已确认报名占用的名额", "The capacity cannot be below the seats already confirmed"),
    "invitation_target_required": ProblemKind(
        422, "邀请须指明一个任务或一个活动（二者选一）", "An invitation names one task or one activity"),
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
    "wrong_type": ("类型不正确：应为{expected}", "Wrong type: expected {expected}"),
    "constraint_violated": ("应为{expected}", "Must be {expected}"),
    "offset_forbidden": ("时间不能带时区偏移", "The time must not carry an offset"),
    "unknown_field": ("不允许的字段", "This field is not allowed"),
    "blank": ("不能为空", "Must not be blank"),
    "nul_character": ("不能包含 NUL 字符", "Must not contain a NUL character"),
    "invalid_utf8": ("不是有效的 UTF-8 文本，请以 UTF-8 编码发送", "Is not valid UTF-8 text; send it encoded as UTF-8"),
    "name_character": ("名称不能包含控制字符、方向控制符或零宽字符",
                       "A name must not contain control, direction or zero-width characters"),
    "offset_required": ("时间必须带时区偏移（RFC 3339）", "The time needs an offset (RFC 3339)"),
    "invalid_url": ("应为不含用户名密码的 http(s) 绝对地址", "Must be an absolute http(s) URL without credentials"),
    "invalid_event_type": ("事件类型应形如 task.created 或 task.*", "An event type looks like task.created or task.*"),
    "media_not_attachable": ("照片不存在或不是您上传的", "No photo of yours has this id"),
}


class Help(NamedTuple):
    cause: str
    fix: str
    cause_with: str | None = None  # names the specifics, from the raising code's parameters


def _load_help() -> dict[str, dict[str, Help]]:
    table = tomllib.loads((Path(__file__).with_name("problem_help.toml")).read_text("utf-8"))
    return {code: {language: Help(**texts) for language, texts in entry.items()}
            for code, entry in table.items()}


HELP: dict[str, dict[str, Help]] = _load_help()
# Words of the service's own vocabulary that appear as detail parameters (readiness states).
ZONE_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "Asia/Urumqi": "乌鲁木齐时间",
              "Asia/Hong_Kong": "香港时间", "Asia/Macau": "澳门时间", "Asia/Taipei": "台北时间"}
STATE_WORDS = {"ok": "正常", "unavailable": "不可用", "not_configured": "未配置"}


def help_for(code: str, language: str) -> Help:
    texts = HELP.get(code) or HELP["internal_error"]
    return texts["en" if language == "en" else "zh"]


def detail(code: str, language: str, params: dict[str, Any] | None = None) -> str:
    """What went wrong and how to fix it; specific when the parameters allow it."""
    texts = help_for(code, language)
    cause = texts.cause
    if texts.cause_with and params:
        try:
            cause = texts.cause_with.format(**params)
        except (KeyError, IndexError):
            pass  # the raising code did not give every specific: the general cause stands
    return f"{cause} {texts.fix}" if language == "en" else cause + texts.fix


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
