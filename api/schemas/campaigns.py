"""Wire types of 最美楼栋 campaigns, their nominations, self-assessments, raters, a rater's own
score sheets and the published results, and their views of domain/campaigns.py's models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from api.schemas.media import MediaIds, MediaLink, links
from api.schemas.tasks import AssigneeRef, Description, Points, Priority, Title, When
from domain import campaigns as domain

CampaignStatus = Literal["nominating", "assessing", "rating", "published"]
RaterKind = Literal["staff", "organization", "resident"]
CampaignTitle = text(100, min_length=1, example="2026 年度嘉富社区最美楼栋评选")
CriterionKey = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$",
                                   examples=["environment"])]
CriterionLabel = text(40, min_length=1, example="环境美")
Weight = Annotated[int, Meta(ge=1, le=100, examples=[1])]
Day = Annotated[date, Meta(examples=["2026-12-10"], description="Inclusive, in the street's time zone")]
Winners = Annotated[int, Meta(ge=1, le=1000, examples=[3])]
PrizePoints = Annotated[int, Meta(ge=1, le=100_000, examples=[50])]
ScoreValue = Annotated[int, Meta(ge=domain.MIN_SCORE, le=domain.MAX_SCORE, examples=[8])]
AssessmentText = text(2000, example="楼道整洁，绿植由志愿者轮流养护")
IssueText = text(200, min_length=1, example="3 楼楼道堆放杂物")
BuildingRef = id_text("bld_5t7v9x2b4d6f8h1k")
PersonRef = id_text("psn_5t7v9x2b4d6f8h1k")
IssueRef = id_text("cis_5t7v9x2b4d6f8h1k")


class CriterionInput(Input):
    key: CriterionKey
    label: CriterionLabel  # type: ignore[valid-type]
    weight: Weight = 1


Criteria = Annotated[list[CriterionInput], Meta(min_length=1, max_length=10)]


class Criterion(msgspec.Struct):
    key: str
    label: str
    weight: int


class Campaign(msgspec.Struct):
    id: Annotated[str, Meta(examples=["cmp_5t7v9x2b4d6f8h1k"])]
    community_id: Annotated[str | None, Meta(description="None: a campaign of the whole street")]
    title: str
    criteria: list[Criterion]
    nominate_until: date
    assess_until: date
    rate_until: date
    winners: int
    prize_points: int | None
    status: CampaignStatus
    assessing_at: Stamp | None
    rating_at: Stamp | None
    published_at: Stamp | None
    created_at: Stamp
    updated_at: Stamp


class CampaignCreate(Input):
    title: CampaignTitle  # type: ignore[valid-type]
    nominate_until: Day
    assess_until: Day
    rate_until: Day
    winners: Winners
    criteria: Criteria | None = None
    prize_points: PrizePoints | None = None


class CampaignUpdate(Input):
    title: CampaignTitle | UnsetType = UNSET  # type: ignore[valid-type]
    criteria: Criteria | UnsetType = UNSET
    nominate_until: Day | UnsetType = UNSET
    assess_until: Day | UnsetType = UNSET
    rate_until: Day | UnsetType = UNSET
    winners: Winners | UnsetType = UNSET
    prize_points: PrizePoints | None | UnsetType = UNSET


class NominationCreate(Input):
    building_id: BuildingRef  # type: ignore[valid-type]


class Nomination(msgspec.Struct):
    id: Annotated[str, Meta(examples=["cnm_5t7v9x2b4d6f8h1k"])]
    campaign_id: str
    building_id: str
    community_id: str | None
    created_at: Stamp
    updated_at: Stamp


class IssueInput(Input):
    text: IssueText  # type: ignore[valid-type]
    id: IssueRef | None = None  # type: ignore[valid-type]


class CriterionAssessmentInput(Input):
    key: CriterionKey
    text: AssessmentText = ""  # type: ignore[valid-type]
    media_ids: MediaIds = []  # type: ignore[valid-type]
    issues: Annotated[list[IssueInput], Meta(max_length=20)] = []


class AssessmentPut(Input):
    criteria: Annotated[list[CriterionAssessmentInput], Meta(max_length=10)]


class CriterionAssessment(msgspec.Struct):
    key: str
    text: str
    media: list[MediaLink]
    updated_at: Stamp


class Issue(msgspec.Struct):
    id: Annotated[str, Meta(examples=["cis_5t7v9x2b4d6f8h1k"])]
    criterion_key: str
    text: str
    task_id: str | None
    created_at: Stamp
    updated_at: Stamp


class Assessment(msgspec.Struct):
    campaign_id: str
    building_id: str
    criteria: list[CriterionAssessment]
    issues: list[Issue]
    updated_at: Stamp | None


class RectificationCreate(Input):
    title: Title | None = None  # type: ignore[valid-type]
    description: Description = ""  # type: ignore[valid-type]
    assignee: AssigneeRef | None = None
    due_at: When | None = None
    priority: Priority = "normal"
    points: Points = 0


class RaterCreate(Input):
    person_id: PersonRef  # type: ignore[valid-type]


class Rater(msgspec.Struct):
    id: Annotated[str, Meta(examples=["crt_5t7v9x2b4d6f8h1k"])]
    campaign_id: str
    person_id: str
    kind: RaterKind
    created_at: Stamp
    updated_at: Stamp


class ScoresPut(Input):
    scores: Annotated[dict[CriterionKey, ScoreValue], Meta(
        description="One score 1–10 for each criterion key of the campaign",
        examples=[{"environment": 8, "self_governance": 7, "civility": 9, "neighbourliness": 8}])]


class ScoreSheet(msgspec.Struct):
    """The caller's own sheet for a building; nobody else's is ever shown."""

    id: Annotated[str, Meta(examples=["csc_5t7v9x2b4d6f8h1k"])]
    campaign_id: str
    building_id: str
    scores: dict[str, int]
    created_at: Stamp
    updated_at: Stamp


class CriterionMean(msgspec.Struct):
    key: str
    mean: Annotated[str, Meta(examples=["8.25"], description="Decimal string, 2 places, half-up")]


class BuildingResult(msgspec.Struct):
    building_id: str
    building_name: str
    score: Annotated[str | None, Meta(examples=["8.38"], description="Exact, as 2 places half-up; None: unrated")]
    rank: int | None
    raters: int
    criteria: list[CriterionMean]
    winner: bool


class Results(msgspec.Struct):
    campaign_id: str
    status: CampaignStatus
    published_at: Stamp | None
    winners: int
    prize_points: int | None
    buildings: list[BuildingResult]


def campaign_view(campaign: domain.Campaign) -> Campaign:
    return Campaign(
        id=campaign.id, community_id=campaign.community_id, title=campaign.title,
        criteria=[Criterion(c.key, c.label, c.weight) for c in campaign.criteria_list],
        nominate_until=campaign.nominate_until, assess_until=campaign.assess_until, rate_until=campaign.rate_until,
        winners=campaign.winners, prize_points=campaign.prize_points, status=campaign.status,  # type: ignore[arg-type]
        assessing_at=campaign.assessing_at, rating_at=campaign.rating_at, published_at=campaign.published_at,
        created_at=campaign.created_at, updated_at=campaign.updated_at)


def nomination_view(nomination: domain.Nomination) -> Nomination:
    return Nomination(id=nomination.id, campaign_id=nomination.campaign_id, building_id=nomination.building_id,
                      community_id=nomination.community_id, created_at=nomination.created_at,
                      updated_at=nomination.updated_at)


def assessment_view(found: domain.SelfAssessment, link: Callable[[str], str]) -> Assessment:
    return Assessment(
        campaign_id=found.campaign_id, building_id=found.building_id,
        criteria=[CriterionAssessment(a.criterion_key, a.text, links(list(a.media_ids), link), a.updated_at)
                  for a in found.criteria],
        issues=[Issue(i.id, i.criterion_key, i.text, i.task_id, i.created_at, i.updated_at) for i in found.issues],
        updated_at=found.updated_at)


def rater_view(rater: domain.Rater) -> Rater:
    return Rater(id=rater.id, campaign_id=rater.campaign_id, person_id=rater.person_id,
                 kind=rater.kind, created_at=rater.created_at, updated_at=rater.updated_at)  # type: ignore[arg-type]


def sheet_view(sheet: domain.Score) -> ScoreSheet:
    return ScoreSheet(id=sheet.id, campaign_id=sheet.campaign_id, building_id=sheet.building_id,
                      scores=dict(sheet.scores), created_at=sheet.created_at, updated_at=sheet.updated_at)


def results_view(campaign: domain.Campaign, results: list[domain.Result]) -> Results:
    keys = [c.key for c in campaign.criteria_list]
    return Results(
        campaign_id=campaign.id, status=campaign.status, published_at=campaign.published_at,  # type: ignore[arg-type]
        winners=campaign.winners, prize_points=campaign.prize_points,
        buildings=[BuildingResult(building_id=r.building_id, building_name=r.building_name, score=r.score,
                                  rank=r.rank, raters=r.raters,
                                  criteria=[CriterionMean(k, r.means[k]) for k in keys if k in r.means],
                                  winner=r.winner) for r in results])
