"""Wire types of the street statistics (GET /v1/stats) and their export's table, views of
domain/stats.py's figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from api.schemas.common import Stamp
from domain.stats import OUTCOMES, STAGES, TIMED_STAGES, Rate, Statistics, Turnout

Scope = Literal["street", "community", "building"]
Grouping = Literal["community", "building", "month"]
ExportFormat = Literal["csv", "xlsx"]
Day = Annotated[date, Meta(examples=["2026-11-01"])]
Percent = Annotated[str, Meta(pattern=r"^[0-9]+\.[0-9]{2}$", examples=["66.67"])]
Decimal2 = Annotated[str, Meta(pattern=r"^-?[0-9]+\.[0-9]{2}$", examples=["18.50"])]


class RateView(msgspec.Struct):
    numerator: int
    denominator: int
    percent: Percent | None  # two places, half-up; null when the denominator is 0


class ReportFigures(msgspec.Struct):
    received: int
    resolved: int
    urgent: int
    resolution_rate: RateView
    median_hours_to_resolve: Decimal2 | None


class TaskFigures(msgspec.Struct):
    created: int
    open: int
    done: int
    overdue: int
    escalated_community: int
    escalated_street: int
    on_time_rate: RateView


class ProposalFigures(msgspec.Struct):
    created: int
    by_stage: dict[str, int]
    by_outcome: dict[str, int]
    adoption_rate: RateView
    median_days_in_stage: dict[str, Decimal2 | None]


class BookingFigures(msgspec.Struct):
    count: int
    no_show_rate: RateView
    utilisation: RateView  # booked minutes ÷ open minutes of the scope's spaces


class QuestionFigures(msgspec.Struct):
    asked: int  # questions asked in the period
    answered: int  # questions first answered in the period
    median_hours_to_first_answer: Decimal2 | None  # of those first answered in the period


class ActivityFigures(msgspec.Struct):
    held: int  # activities finished in the period (on the day they ended)
    attendance: int  # sign-ups checked in during the period (a person each; companions not counted)


class Figures(msgspec.Struct):
    awareness_rate: RateView | None  # always a rate now (percent null without announcements)
    awareness_rate_reason: str | None  # null: kept for clients that read it
    households: int
    participation_rate: RateView
    active_residents: int
    satisfaction_rate: RateView
    satisfaction_mean: Decimal2 | None
    reports: ReportFigures
    tasks: TaskFigures
    proposals: ProposalFigures
    bookings: BookingFigures
    questions: QuestionFigures
    activities: ActivityFigures
    needs_met: int  # needs of the three lists met by a project in the period


class GroupFigures(msgspec.Struct):
    key: str
    name: str | None
    figures: Figures


class VoteTurnout(msgspec.Struct):
    vote_id: str
    subject_type: str
    subject_id: str
    community_id: str | None
    building_id: str | None
    closes_at: Stamp
    turnout: RateView


class Stats(msgspec.Struct, rename={"start": "from", "end": "to"}):
    scope: Scope
    id: str
    start: Day
    end: Day
    timezone: str
    group_by: Grouping | None
    figures: Figures
    groups: list[GroupFigures]
    votes: list[VoteTurnout]


def _rates(value: Any) -> Any:
    if isinstance(value, Rate):
        return {"numerator": value.numerator, "denominator": value.denominator, "percent": value.percent}
    if isinstance(value, dict):
        return {k: _rates(v) for k, v in value.items()}
    return value


def figures_view(figures: dict) -> Figures:
    return msgspec.convert(_rates(figures), Figures)


def _vote(v: Turnout) -> VoteTurnout:
    return VoteTurnout(v.vote_id, v.subject_type, v.subject_id, v.community_id, v.building_id, v.closes_at,
                       msgspec.convert(_rates(v.turnout), RateView))


def stats_view(s: Statistics) -> Stats:
    return Stats(s.scope, s.place_id, s.period.start, s.period.end, s.timezone, s.group_by,  # type: ignore[arg-type]
                 figures_view(s.figures), [GroupFigures(g.key, g.name, figures_view(g.figures)) for g in s.groups],
                 [_vote(v) for v in s.votes])


# The export: one row per group (the whole scope first), Chinese headers.

def _rate(key: str, part: str) -> Any:
    return lambda f: f[key][part]


def _nested(*path: str) -> Any:
    def get(figures: Any) -> Any:
        for key in path:
            figures = figures[key]
        return figures
    return get


def _columns() -> list[tuple[str, Any]]:
    columns: list[tuple[str, Any]] = [
        ("知晓率(%)", lambda f: f["awareness_rate"] and f["awareness_rate"]["percent"]),
        ("户数", lambda f: f["households"])]
    for title, key in (("参与率", "participation_rate"), ("满意率", "satisfaction_rate")):
        columns += [(f"{title}分子", _rate(key, "numerator")), (f"{title}分母", _rate(key, "denominator")),
                    (f"{title}(%)", _rate(key, "percent"))]
    columns += [("满意度均分", lambda f: f["satisfaction_mean"]), ("活跃居民数", lambda f: f["active_residents"]),
                ("收到问题数", lambda f: f["reports"]["received"]), ("解决问题数", lambda f: f["reports"]["resolved"]),
                ("紧急问题数", lambda f: f["reports"]["urgent"]),
                ("问题解决率(%)", lambda f: f["reports"]["resolution_rate"]["percent"]),
                ("解决时长中位数(小时)", lambda f: f["reports"]["median_hours_to_resolve"]),
                ("新建任务数", lambda f: f["tasks"]["created"]), ("未完成任务数", lambda f: f["tasks"]["open"]),
                ("完成任务数", lambda f: f["tasks"]["done"]), ("逾期任务数", lambda f: f["tasks"]["overdue"]),
                ("升级至社区", lambda f: f["tasks"]["escalated_community"]),
                ("升级至街道", lambda f: f["tasks"]["escalated_street"]),
                ("按时完成率(%)", lambda f: f["tasks"]["on_time_rate"]["percent"]),
                ("新建议题数", lambda f: f["proposals"]["created"])]
    stage_names = {"collecting": "征集", "deliberating": "协商", "voting": "表决", "implementing": "实施",
                   "evaluating": "评价", "closed": "已结束"}
    outcome_names = {"adopted": "通过", "rejected": "否决", "no_quorum": "未达法定人数",
                     "insufficient_support": "附议不足", "withdrawn": "撤回", "dismissed": "驳回", "duplicate": "重复"}
    columns += [(f"议题-{stage_names[s]}", _nested("proposals", "by_stage", s)) for s in STAGES]
    columns += [(f"结果-{outcome_names[o]}", _nested("proposals", "by_outcome", o)) for o in OUTCOMES]
    columns += [("通过率(%)", lambda f: f["proposals"]["adoption_rate"]["percent"])]
    columns += [(f"{stage_names[s]}阶段天数中位数", _nested("proposals", "median_days_in_stage", s))
                for s in TIMED_STAGES]
    columns += [("预约数", lambda f: f["bookings"]["count"]),
                ("爽约率(%)", lambda f: f["bookings"]["no_show_rate"]["percent"]),
                ("空间使用率(%)", lambda f: f["bookings"]["utilisation"]["percent"]),
                ("知晓户数", lambda f: f["awareness_rate"]["numerator"]),
                ("应知晓户数", lambda f: f["awareness_rate"]["denominator"]),
                ("提问数", lambda f: f["questions"]["asked"]), ("答复问题数", lambda f: f["questions"]["answered"]),
                ("首次答复时长中位数(小时)", lambda f: f["questions"]["median_hours_to_first_answer"]),
                ("举办活动数", lambda f: f["activities"]["held"]), ("活动签到人次", lambda f: f["activities"]["attendance"]),
                ("已满足需求数", lambda f: f["needs_met"])]
    return columns


COLUMNS = _columns()
SCOPE_NAMES = {"street": "街道", "community": "社区", "building": "楼栋"}


def export_table(s: Statistics) -> list[list[Any]]:
    """Header row, then the whole scope, then one row per group (keys and names first)."""
    header = ["范围", "编号", "名称", "开始日期", "结束日期", *(name for name, _ in COLUMNS)]
    rows = [header]
    entries = [(SCOPE_NAMES[s.scope], s.place_id, "合计", s.figures)]
    entries += [(g.key if s.group_by == "month" else {"community": "社区", "building": "楼栋"}[s.group_by or ""],
                 g.key, g.name or g.key, g.figures) for g in s.groups]
    for scope, key, name, figures in entries:
        wire = msgspec.to_builtins(figures_view(figures))
        rows.append([scope, key, name, s.period.start.isoformat(), s.period.end.isoformat(),
                     *(get(wire) for _, get in COLUMNS)])
    return rows
