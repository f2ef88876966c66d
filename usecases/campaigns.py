"""最美楼栋 rating campaigns of a community or of the street: made and changed by their
managers, nominated by building leaders, self-assessed per criterion with issues that become
rectification tasks (source ``campaign``). Raters and scores are usecases/campaign_ratings.py;
the phases move by themselves (usecases/campaigns_jobs.py). The rules are domain/campaigns.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import campaigns as rules
from domain.campaigns import Campaign, Criterion, Nomination, SelfAssessment
from domain.errors import Conflict, NotFound, RuleViolation
from domain.permissions import Actor, Place, Principal, ensure_for
from domain.tasks import Task
from store import campaigns as store
from store.paging import Keyset
from usecases import media, places, tasks
from usecases.actors import actor_for
from usecases.campaigns_jobs import schedule_phases
from usecases.kernel import actor_ref, changes_of, record_event, visible_or_404


class CriterionIn(msgspec.Struct, kw_only=True):
    key: str
    label: str
    weight: int = 1


class NewCampaign(msgspec.Struct, kw_only=True):
    title: str
    criteria: list[CriterionIn] | None = None  # None: 环境美 · 自治美 · 文明美 · 邻里美
    nominate_until: date
    assess_until: date
    rate_until: date
    winners: int
    prize_points: int | None = None


class ChangeCampaign(msgspec.Struct, kw_only=True):
    title: str | UnsetType = UNSET
    criteria: list[CriterionIn] | UnsetType = UNSET
    nominate_until: date | UnsetType = UNSET
    assess_until: date | UnsetType = UNSET
    rate_until: date | UnsetType = UNSET
    winners: int | UnsetType = UNSET
    prize_points: int | None | UnsetType = UNSET


class IssueIn(msgspec.Struct, kw_only=True):
    text: str
    id: str | None = None  # an issue recorded before, kept (and its text changed)


class CriterionAssessment(msgspec.Struct, kw_only=True):
    key: str
    text: str = ""
    media_ids: list[str] = []
    issues: list[IssueIn] = []


class PutAssessment(msgspec.Struct, kw_only=True):
    criteria: list[CriterionAssessment]


class RectificationTask(msgspec.Struct, kw_only=True):
    title: str | None = None  # default: the issue's criterion and text
    description: str = ""
    assignee: tasks.Assignee | None = None
    due_at: datetime | None = None
    priority: str = "normal"
    points: int = 0


async def today_of(conn: asyncpg.Connection, street_id: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(await store.timezone_of(conn, street_id))).date()


def _criteria(given: list[CriterionIn] | None) -> list[dict]:
    found = ([Criterion(c.key, c.label, c.weight) for c in given] if given is not None
             else [Criterion(*c) for c in rules.DEFAULT_CRITERIA])
    rules.check_criteria(found)
    return [{"key": c.key, "label": c.label, "weight": c.weight} for c in found]


# Campaigns

async def _place(conn: asyncpg.Connection, actor: Actor, community_id: str | None) -> Place:
    if community_id is None:
        return Place(actor.principal.street_id)
    community = await places.visible_community(conn, actor, community_id)
    return Place(community.street_id, community_id=community.id)


async def create(conn: asyncpg.Connection, who: Principal, community_id: str | None, command: NewCampaign,
                 now: datetime) -> Campaign:
    actor = await actor_for(conn, who)
    place = await _place(conn, actor, community_id)
    ensure_for(actor, rules.may_manage(actor, place))
    rules.check_dates(command.nominate_until, command.assess_until, command.rate_until,
                      await today_of(conn, who.street_id, now), rules.NOMINATING)
    values = {**msgspec.structs.asdict(command), "criteria": _criteria(command.criteria)}
    campaign = await store.insert(conn, who.street_id, community_id, values, actor_ref(actor))
    await schedule_phases(conn, campaign, await store.timezone_of(conn, who.street_id))
    await record_event(conn, "campaign.created", "campaign", campaign, {
        "status": campaign.status, "nominate_until": campaign.nominate_until.isoformat(),
        "assess_until": campaign.assess_until.isoformat(), "rate_until": campaign.rate_until.isoformat(),
        "winners": campaign.winners, "prize_points": campaign.prize_points})
    return campaign


async def visible_campaign(conn: asyncpg.Connection, actor: Actor, campaign_id: str, *,
                           lock: str | None = None) -> Campaign:
    campaign = await store.get(conn, actor.principal.street_id, campaign_id, lock=lock)
    rater = campaign is not None and await store.is_rater(conn, campaign.id, actor.person_id)
    return visible_or_404(campaign, lambda c: rules.may_see(actor, c, is_rater=rater))


async def list_campaigns(conn: asyncpg.Connection, who: Principal, community_id: str | None,
                         keyset: Keyset) -> list[Campaign]:
    """A community's campaigns for those who see the community; the street's for everyone
    of the street."""
    actor = await actor_for(conn, who)
    await _place(conn, actor, community_id)
    return await store.page(conn, who.street_id, community_id, keyset)


async def get(conn: asyncpg.Connection, who: Principal, campaign_id: str) -> Campaign:
    return await visible_campaign(conn, await actor_for(conn, who), campaign_id)


async def update(conn: asyncpg.Connection, who: Principal, campaign_id: str, command: ChangeCampaign,
                 precondition: Callable[[Campaign], None], now: datetime) -> Campaign:
    """Managers change a campaign until it is published; its criteria only before rating, and
    its dates only so that it stays in its phase."""
    actor = await actor_for(conn, who)
    campaign = await visible_campaign(conn, actor, campaign_id, lock="update")
    ensure_for(actor, rules.may_manage(actor, campaign.place))
    precondition(campaign)
    changes = changes_of(command)
    if not changes:
        return campaign
    if campaign.status == rules.PUBLISHED:
        raise Conflict("phase_closed", {"status": campaign.status})
    if "criteria" in changes:
        if campaign.status not in (rules.NOMINATING, rules.ASSESSING):
            raise Conflict("phase_closed", {"status": campaign.status, "needed": rules.ASSESSING})
        changes["criteria"] = _criteria(command.criteria if command.criteria is not UNSET else None)
    dated = {"nominate_until", "assess_until", "rate_until"} & set(changes)
    if dated:
        rules.check_dates(changes.get("nominate_until", campaign.nominate_until),
                          changes.get("assess_until", campaign.assess_until),
                          changes.get("rate_until", campaign.rate_until),
                          await today_of(conn, who.street_id, now), campaign.status)
    updated = await store.update(conn, campaign.id, changes)
    if dated:
        await schedule_phases(conn, updated, await store.timezone_of(conn, who.street_id))
    await record_event(conn, "campaign.updated", "campaign", updated, {"changed": sorted(changes)})
    return updated


# Nominations

async def nominate(conn: asyncpg.Connection, who: Principal, campaign_id: str, building_id: str,
                   now: datetime) -> Nomination:
    """A building's leader (or above) nominates a building of the campaign's scope while it
    is nominating; a building is nominated once (409 ``already_nominated``)."""
    actor = await actor_for(conn, who)
    campaign = await visible_campaign(conn, actor, campaign_id, lock="share")
    building = await places.visible_building(conn, actor, building_id)
    place = Place(building.street_id, community_id=building.community_id, building_id=building.id)
    ensure_for(actor, actor.leader_of(place))
    if not rules.in_scope(campaign, place):
        raise RuleViolation("building_not_in_scope", {"building_id": building.id})
    rules.check_open(campaign, await today_of(conn, who.street_id, now), rules.NOMINATING)
    found = await store.nominate(conn, campaign, building.id, building.community_id,
                                 actor.person_id or actor.principal.client_id)
    if found is None:
        raise Conflict("already_nominated", {"building_id": building.id})
    await record_event(conn, "campaign.nominated", "campaign", campaign, {
        "building_id": building.id, "nomination_id": found.id})
    return found


async def nominations(conn: asyncpg.Connection, who: Principal, campaign_id: str, keyset: Keyset) -> list[Nomination]:
    actor = await actor_for(conn, who)
    campaign = await visible_campaign(conn, actor, campaign_id)
    return await store.nominations(conn, campaign.id, keyset)


async def _nominated(conn: asyncpg.Connection, actor: Actor, campaign_id: str, building_id: str, *,
                     lock: str | None = None) -> tuple[Campaign, Nomination]:
    campaign = await visible_campaign(conn, actor, campaign_id, lock=lock)
    found = await store.nomination(conn, campaign.id, building_id)
    if found is None:
        raise NotFound("not_found")
    return campaign, found


# Self-assessment

async def assessment(conn: asyncpg.Connection, who: Principal, campaign_id: str, building_id: str) -> SelfAssessment:
    """Whoever sees the campaign reads a nominee's self-assessment (its raters above all)."""
    actor = await actor_for(conn, who)
    campaign, _ = await _nominated(conn, actor, campaign_id, building_id)
    return await _assessment(conn, campaign, building_id)


async def _assessment(conn: asyncpg.Connection, campaign: Campaign, building_id: str) -> SelfAssessment:
    """The entries and issues of the campaign's current criteria (a criterion dropped later
    by its managers drops out of the view)."""
    keys = {c.key for c in campaign.criteria_list}
    entries = [e for e in await store.assessments(conn, campaign.id, building_id) if e.criterion_key in keys]
    found = [i for i in await store.issues(conn, campaign.id, building_id) if i.criterion_key in keys]
    stamps = [e.updated_at for e in entries] + [i.updated_at for i in found]
    return SelfAssessment(campaign_id=campaign.id, building_id=building_id, criteria=entries, issues=found,
                          updated_at=max(stamps) if stamps else None)


async def put_assessment(conn: asyncpg.Connection, who: Principal, campaign_id: str, building_id: str,
                         command: PutAssessment, now: datetime) -> SelfAssessment:
    """The building's leader (or above) records the self-assessment while the campaign is
    assessing: per criterion a text, photos and the issues found. The body is the whole
    self-assessment: criteria left out are removed; issues named by ``id`` are kept, those
    left out removed, except one already turned into a task."""
    actor = await actor_for(conn, who)
    campaign, nomination = await _nominated(conn, actor, campaign_id, building_id, lock="share")
    ensure_for(actor, actor.leader_of(Place(campaign.street_id, community_id=nomination.community_id,
                                            building_id=building_id)))
    rules.check_open(campaign, await today_of(conn, who.street_id, now), rules.ASSESSING)
    keys = [c.key for c in campaign.criteria_list]
    given = [entry.key for entry in command.criteria]
    if len(set(given)) != len(given) or not set(given) <= set(keys):
        raise RuleViolation("invalid_criteria", {"criteria": keys})
    existing = {i.id: i for i in await store.issues(conn, campaign.id, building_id, lock=True)}
    kept: set[str] = set()
    author = actor.person_id
    for index, entry in enumerate(command.criteria):
        attached = await media.attach(conn, actor, entry.media_ids, field=f"criteria[{index}].media_ids")
        await store.put_assessment(conn, campaign.id, building_id, entry.key, entry.text, attached, author)
        for issue in entry.issues:
            if issue.id is None:
                await store.insert_issue(conn, campaign.id, building_id, entry.key, issue.text, author)
            elif issue.id in existing:
                kept.add(issue.id)
                await store.change_issue(conn, issue.id, entry.key, issue.text, author)
            else:
                raise RuleViolation("invalid_issue", {"issue_id": issue.id})
    await store.delete_assessments_except(conn, campaign.id, building_id, given)
    await store.delete_issues(conn, sorted(set(existing) - kept))
    await record_event(conn, "campaign.assessed", "campaign", campaign, {
        "building_id": building_id, "criteria": sorted(given)})
    return await _assessment(conn, campaign, building_id)


async def rectify(conn: asyncpg.Connection, who: Principal, campaign_id: str, building_id: str, issue_id: str,
                  command: RectificationTask) -> Task:
    """The building's leader (or above) turns an issue into a rectification task of the
    building (source ``campaign``), once (409 ``issue_has_task``)."""
    actor = await actor_for(conn, who)
    campaign, nomination = await _nominated(conn, actor, campaign_id, building_id)
    place = Place(campaign.street_id, community_id=nomination.community_id, building_id=building_id)
    ensure_for(actor, actor.leader_of(place))
    found = await store.issue(conn, campaign.id, building_id, issue_id)
    if found is None:
        raise NotFound("not_found")
    if found.task_id is not None:
        raise Conflict("issue_has_task", {"task_id": found.task_id})
    label = next((c.label for c in campaign.criteria_list if c.key == found.criterion_key), found.criterion_key)
    title = command.title or f"【{label}整改】{found.text}"[:100]
    task = await tasks.create_rectification(conn, actor, place, tasks.NewTask(
        title=title, description=command.description or found.text, assignee=command.assignee,
        due_at=command.due_at, priority=command.priority, points=command.points), campaign_id=campaign.id)
    await store.link_task(conn, found.id, task.id)
    await record_event(conn, "campaign.rectification_created", "campaign", campaign, {
        "building_id": building_id, "issue_id": found.id, "task_id": task.id})
    return task
