"""A campaign's raters and their scores, and its published results. Raters are named by the
campaign's managers (staff, partner organisations' members, resident representatives: who
qualifies is domain/campaigns.py ``rater_kind``); during ``rating`` each scores every nominated
building but their own 1–10 per criterion, once, changeable until ``rate_until``. A rater reads
their own sheets; nobody else reads anyone's: the results show means, counts and ranks only."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import campaigns as rules
from domain.campaigns import Campaign, Rater, Result, Score
from domain.errors import Conflict, Forbidden, NotFound, RuleViolation
from domain.permissions import Actor, Principal, ensure_for
from store import campaigns as store
from store.paging import Keyset
from usecases import members, organizations
from usecases.actors import actor_for
from usecases.campaigns import today_of, visible_campaign
from usecases.kernel import person_of, record_event


class NewRater(msgspec.Struct, kw_only=True):
    person_id: str


class PutScores(msgspec.Struct, kw_only=True):
    scores: dict[str, int]


class Results(msgspec.Struct, kw_only=True):
    campaign: Campaign
    buildings: list[Result]


async def _person_actor(conn: asyncpg.Connection, who: Principal, person_id: str) -> Actor:
    """The person as an actor of the street (their roles and homes there)."""
    return await actor_for(conn, Principal(kind="person", client_id=who.client_id, street_id=who.street_id,
                                           person_id=person_id))


async def add_rater(conn: asyncpg.Connection, who: Principal, campaign_id: str, command: NewRater) -> Rater:
    """The campaign's managers name a rater until it is published: 422
    ``rater_not_eligible`` for a person who is none of staff, a partner organisation's member
    or a resident representative of the campaign's scope; 409 ``already_rater``."""
    actor = await actor_for(conn, who)
    campaign = await visible_campaign(conn, actor, campaign_id, lock="share")
    ensure_for(actor, rules.may_manage(actor, campaign.place))
    if campaign.status == rules.PUBLISHED:
        raise Conflict("phase_closed", {"status": campaign.status})
    kind = None
    if await members.person_exists(conn, command.person_id):
        person = await _person_actor(conn, who, command.person_id)
        communities = {}
        for organization_id in person.grants.organizations:
            found = await organizations.find(conn, who.street_id, organization_id)
            if found is not None:
                communities[found.id] = found.community_id
        kind = rules.rater_kind(person, campaign, communities)
    if kind is None:
        raise RuleViolation("rater_not_eligible", {"person_id": command.person_id})
    rater = await store.add_rater(conn, campaign.id, command.person_id, kind,
                                  actor.person_id or actor.principal.client_id)
    if rater is None:
        raise Conflict("already_rater", {"person_id": command.person_id})
    await record_event(conn, "campaign.rater_added", "campaign", campaign, {
        "rater_id": rater.id, "person_id": rater.person_id, "kind": kind})
    return rater


async def remove_rater(conn: asyncpg.Connection, who: Principal, campaign_id: str, person_id: str) -> None:
    """The campaign's managers remove a rater until it is published (409 ``phase_closed``
    after): their sheets go with them, so the results count only the raters who remain."""
    actor = await actor_for(conn, who)
    campaign = await visible_campaign(conn, actor, campaign_id, lock="share")
    ensure_for(actor, rules.may_manage(actor, campaign.place))
    if campaign.status == rules.PUBLISHED:
        raise Conflict("phase_closed", {"status": campaign.status})
    removed = await store.remove_rater(conn, campaign.id, person_id)
    if removed is None:
        raise NotFound("not_found")
    await record_event(conn, "campaign.rater_removed", "campaign", campaign, {
        "rater_id": removed.id, "person_id": removed.person_id})


async def raters(conn: asyncpg.Connection, who: Principal, campaign_id: str, keyset: Keyset) -> list[Rater]:
    """Who rates (never what they gave): the campaign's managers."""
    actor = await actor_for(conn, who)
    campaign = await visible_campaign(conn, actor, campaign_id)
    ensure_for(actor, rules.may_manage(actor, campaign.place, write=False), "street:read")
    return await store.raters(conn, campaign.id, keyset)


async def _as_rater(conn: asyncpg.Connection, who: Principal, campaign_id: str, *,
                    lock: str | None = None) -> tuple[Campaign, str]:
    actor = await actor_for(conn, who)
    person = person_of(actor)
    campaign = await visible_campaign(conn, actor, campaign_id, lock=lock)
    if not await store.is_rater(conn, campaign.id, person):
        raise Forbidden("not_a_rater")
    return campaign, person


async def score(conn: asyncpg.Connection, who: Principal, campaign_id: str, building_id: str, command: PutScores,
                now: datetime) -> tuple[Score, bool]:
    """A rater's sheet for a nominated building (404 for one not nominated), while rating
    (else 409 ``phase_closed``), never for their own building (422 ``rater_conflict``), one
    score 1–10 per criterion (422 ``invalid_scores``). The campaign's row is held shared, so
    publishing waits for the sheet or the sheet sees the campaign published."""
    campaign, person = await _as_rater(conn, who, campaign_id, lock="share")
    if await store.nomination(conn, campaign.id, building_id) is None:
        raise NotFound("not_found")
    rules.check_open(campaign, await today_of(conn, who.street_id, now), rules.RATING)
    rules.check_not_own_building(await _person_actor(conn, who, person), building_id)
    rules.check_scores(campaign.criteria_list, command.scores)
    sheet, new = await store.put_score(conn, campaign.id, building_id, person, command.scores)
    await record_event(conn, "campaign.scored", "campaign", campaign, {"building_id": building_id})
    return sheet, new


async def my_score(conn: asyncpg.Connection, who: Principal, campaign_id: str, building_id: str) -> Score:
    campaign, person = await _as_rater(conn, who, campaign_id)
    found = await store.score_of(conn, campaign.id, building_id, person)
    if found is None:
        raise NotFound("not_found")
    return found


async def my_scores(conn: asyncpg.Connection, who: Principal, campaign_id: str, keyset: Keyset) -> list[Score]:
    campaign, person = await _as_rater(conn, who, campaign_id)
    return await store.scores_of_rater(conn, campaign.id, person, keyset)


async def results(conn: asyncpg.Connection, who: Principal, campaign_id: str) -> Results:
    """Whoever sees the campaign sees its results once published (409
    ``results_not_published`` before)."""
    actor = await actor_for(conn, who)
    campaign = await visible_campaign(conn, actor, campaign_id)
    if campaign.status != rules.PUBLISHED:
        raise Conflict("results_not_published", {"status": campaign.status})
    return Results(campaign=campaign, buildings=await store.results(conn, campaign.id))
