"""最美楼栋 rating campaigns: phases by date, who may see and run a campaign, who may rate,
and the results — a building's score is Σ(weight × mean score of the criterion) ÷ Σ weights,
exact (fractions of integer sums, never floats), ranked by score, ties to more raters, then
a shared rank (standard competition ranking: 1, 1, 3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from domain.errors import Conflict, RuleViolation
from domain.permissions import Actor, Place

NOMINATING, ASSESSING, RATING, PUBLISHED = "nominating", "assessing", "rating", "published"
PHASES = (NOMINATING, ASSESSING, RATING, PUBLISHED)
MIN_SCORE, MAX_SCORE = 1, 10
RATER_KINDS = ("staff", "organization", "resident")

# 环境美 · 自治美 · 文明美 · 邻里美, of equal weight, when a campaign names no criteria.
DEFAULT_CRITERIA = (("environment", "环境美", 1), ("self_governance", "自治美", 1),
                    ("civility", "文明美", 1), ("neighbourliness", "邻里美", 1))


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str
    label: str
    weight: int


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    street_id: str
    community_id: str | None
    title: str
    criteria: list[dict]
    nominate_until: date
    assess_until: date
    rate_until: date
    winners: int
    prize_points: int | None
    status: str
    assessing_at: datetime | None
    rating_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def building_id(self) -> None:
        return None

    @property
    def place(self) -> Place:
        return Place(self.street_id, community_id=self.community_id)

    @property
    def criteria_list(self) -> list[Criterion]:
        return [Criterion(c["key"], c["label"], int(c["weight"])) for c in self.criteria]


@dataclass(frozen=True, slots=True)
class Nomination:
    id: str
    street_id: str
    community_id: str | None
    campaign_id: str
    building_id: str
    nominated_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Assessment:
    campaign_id: str
    building_id: str
    criterion_key: str
    text: str
    media_ids: list[str]
    author_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Issue:
    id: str
    campaign_id: str
    building_id: str
    criterion_key: str
    text: str
    author_id: str | None
    task_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SelfAssessment:
    """A nominee's self-assessment: its entries per criterion and the issues it found."""

    campaign_id: str
    building_id: str
    criteria: list[Assessment]
    issues: list[Issue]
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Rater:
    id: str
    campaign_id: str
    person_id: str
    kind: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Score:
    id: str
    campaign_id: str
    building_id: str
    person_id: str
    scores: dict[str, int]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Result:
    """A published building's result as stored: decimal strings, never who gave what."""

    building_id: str
    building_name: str
    score: str | None
    rank: int | None
    raters: int
    means: dict[str, str]
    winner: bool


@dataclass(frozen=True, slots=True)
class Standing:
    """One nominated building's result: the exact score, or None when nobody rated it."""

    building_id: str
    raters: int
    means: dict[str, Fraction]
    score: Fraction | None
    rank: int | None
    winner: bool


# Phases

def phase_on(today: date, nominate_until: date, assess_until: date, rate_until: date) -> str:
    """The phase a campaign is in on ``today`` (each date includes its whole day)."""
    if today <= nominate_until:
        return NOMINATING
    if today <= assess_until:
        return ASSESSING
    if today <= rate_until:
        return RATING
    return PUBLISHED


def later(a: str, b: str) -> str:
    return a if PHASES.index(a) >= PHASES.index(b) else b


def steps_to(current: str, target: str) -> list[str]:
    """The phases a campaign passes through from ``current`` to ``target`` (never backwards)."""
    start, end = PHASES.index(current), PHASES.index(target)
    return list(PHASES[start + 1:end + 1])


def check_dates(nominate_until: date, assess_until: date, rate_until: date, today: date, status: str) -> None:
    """Dates in order (each phase at least one day) and keeping the campaign where it is:
    422 ``invalid_campaign_dates`` otherwise."""
    if not nominate_until < assess_until < rate_until:
        raise RuleViolation("invalid_campaign_dates", {"reason": "order"})
    if phase_on(today, nominate_until, assess_until, rate_until) != status:
        raise RuleViolation("invalid_campaign_dates", {"reason": "phase", "status": status})


def check_open(campaign: Campaign, today: date, phase: str) -> None:
    """409 ``phase_closed`` unless the campaign is in ``phase`` now — by its status and by the
    date (a phase whose last day passed is closed even before the service moves it on)."""
    by_date = phase_on(today, campaign.nominate_until, campaign.assess_until, campaign.rate_until)
    if later(campaign.status, by_date) != phase:
        raise Conflict("phase_closed", {"status": later(campaign.status, by_date), "needed": phase})


def check_criteria(criteria: Sequence[Criterion]) -> None:
    keys = [c.key for c in criteria]
    if not criteria or len(set(keys)) != len(keys) or any(c.weight < 1 for c in criteria):
        raise RuleViolation("invalid_criteria")


def check_scores(criteria: Sequence[Criterion], scores: Mapping[str, int]) -> None:
    """One score, 1–10, for each criterion of the campaign, and nothing else."""
    if set(scores) != {c.key for c in criteria} or any(not MIN_SCORE <= v <= MAX_SCORE for v in scores.values()):
        raise RuleViolation("invalid_scores", {"criteria": sorted(c.key for c in criteria)})


# Who

def may_see(actor: Actor, campaign: Campaign, *, is_rater: bool) -> bool:
    """A street's campaign: anyone of the street; a community's: those who see the
    community, and its raters."""
    if campaign.street_id != actor.principal.street_id:
        return False
    if campaign.community_id is None or is_rater:
        return True
    return actor.sees(campaign.place)


def may_manage(actor: Actor, campaign_place: Place, *, write: bool = True) -> bool:
    """A community's campaign: its staff and above; the street's: street-wide writers (for
    reading what only managers read: street-wide readers)."""
    if campaign_place.community_id:
        return actor.staff_of(campaign_place, write=write)
    return actor.street_wide(write=write)


def in_scope(campaign: Campaign, building_place: Place) -> bool:
    return building_place.street_id == campaign.street_id and (
        campaign.community_id is None or building_place.community_id == campaign.community_id)


def rater_kind(person: Actor, campaign: Campaign, organization_communities: Mapping[str, str | None]) -> str | None:
    """Why a person may rate the campaign, or None: ``staff`` (staff of its community or a
    street officer; for a street's campaign any community's staff), ``organization`` (a member
    of an organisation of the street or of the campaign's community), ``resident`` (a resident
    representative: a live member of a household, or a building leader, in the campaign's
    scope). ``organization_communities``: the person's organisations → their community."""
    grants = person.grants
    if person.street_wide(write=True) or (
            grants.communities and (campaign.community_id is None or campaign.community_id in grants.communities)):
        return "staff"
    if any(community is None or campaign.community_id in (None, community)
           for community in organization_communities.values()):
        return "organization"
    led = set(grants.buildings.values())
    lived = {tie.community_id for tie in grants.households.values()}
    if (led or lived) and (campaign.community_id is None or campaign.community_id in led | lived):
        return "resident"
    return None


def check_not_own_building(person: Actor, building_id: str) -> None:
    """422 ``rater_conflict`` for a rater who lives in or leads the building."""
    if building_id in person.grants.buildings or any(
            tie.building_id == building_id for tie in person.grants.households.values()):
        raise RuleViolation("rater_conflict", {"building_id": building_id})


# Results

def standings(criteria: Sequence[Criterion], scores_by_building: Mapping[str, Sequence[Mapping[str, int]]],
              winners: int) -> list[Standing]:
    """Every nominated building (``scores_by_building``: each building's score sheets, one
    per rater), ranked: by exact score, then more raters first; equal on both share a rank.
    Winners are the buildings ranked within ``winners`` (a tie at the last place wins too);
    a building nobody rated has no score, no rank and comes last."""
    total_weight = sum(c.weight for c in criteria)
    rows = []
    for building_id, sheets in scores_by_building.items():
        n = len(sheets)
        if n == 0:
            rows.append((building_id, 0, {}, None))
            continue
        means = {c.key: Fraction(sum(sheet[c.key] for sheet in sheets), n) for c in criteria}
        score = sum((c.weight * means[c.key] for c in criteria), Fraction(0)) / total_weight
        rows.append((building_id, n, means, score))
    rated = sorted((r for r in rows if r[3] is not None), key=lambda r: (-r[3], -r[1], r[0]))
    result: list[Standing] = []
    for position, (building_id, n, means, score) in enumerate(rated, start=1):
        previous = result[-1] if result else None
        rank = previous.rank if previous and previous.score == score and previous.raters == n else position
        assert rank is not None
        result.append(Standing(building_id, n, means, score, rank, rank <= winners))
    unrated = sorted(r[0] for r in rows if r[3] is None)
    return result + [Standing(b, 0, {}, None, None, False) for b in unrated]


def decimal_2(value: Fraction) -> str:
    """An exact, non-negative fraction as a decimal string with two places, rounded half-up:
    ⌊x·100 + ½⌋ ÷ 100, in integers (no float, no decimal context)."""
    hundredths = (value * 100 + Fraction(1, 2)).__floor__()
    return str(Decimal(hundredths).scaleb(-2).quantize(Decimal("0.01")))
