"""Proposals: raised by residents and leaders of a building, supported by households,
moved through the four steps by leaders, authors and the service's own deadlines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from domain import proposals as stages
from domain.errors import Conflict, NotFound, RuleViolation
from domain.permissions import Actor, Place, Principal, ensure_for, ensure_visible
from domain.places import BuildingRules, support_threshold
from store import buildings
from store import proposals as store
from store.paging import Keyset
from usecases import ballots
from usecases.actors import actor_for
from usecases.proposal_stages import (
    acting_household,
    apply_move,
    person_of,
    place_of,
    record_event,
    schedule_collect_deadline,
    visible_proposal,
)

Precondition = Callable[[asyncpg.Record], None]


async def _building(conn: asyncpg.Connection, actor: Actor, building_id: str) -> asyncpg.Record:
    building = await buildings.get(conn, actor.principal.street_id, building_id)
    if building is None:
        raise NotFound("not_found")
    ensure_visible(actor, Place(building["street_id"], community_id=building["community_id"],
                                building_id=building["id"]))
    return building


async def create(conn: asyncpg.Connection, who: Principal, building_id: str, fields: dict[str, Any],
                 now: datetime) -> asyncpg.Record:
    """Residents of the building and its leaders raise proposals (as persons)."""
    actor = await actor_for(conn, who)
    building = await _building(conn, actor, building_id)
    person = person_of(actor)
    place = Place(building["street_id"], community_id=building["community_id"], building_id=building["id"])
    ensure_for(actor, actor.resident_of(place) or actor.leader_of(place))
    rules = BuildingRules.from_stored(building["rules"])
    proposal = await store.insert(
        conn, street_id=building["street_id"], community_id=building["community_id"], building_id=building["id"],
        author_id=person, title=fields["title"], description=fields.get("description", ""),
        category=fields.get("category", "other"),
        support_threshold=support_threshold(rules, await store.voting_households(conn, building["id"])),
        collect_until=now + timedelta(days=rules.collect_days))
    await store.add_timeline(conn, proposal, from_stage=None, to_stage="collecting", outcome=None,
                             actor_type="person", actor_id=person, reason=None, at=now)
    await record_event(conn, "proposal.created", proposal, {
        "category": proposal["category"], "stage": "collecting",
        "collect_until": proposal["collect_until"].isoformat()})
    await schedule_collect_deadline(conn, proposal)
    return proposal


async def get(conn: asyncpg.Connection, who: Principal, proposal_id: str) -> asyncpg.Record:
    return await visible_proposal(conn, await actor_for(conn, who), proposal_id)


async def list_for_building(conn: asyncpg.Connection, who: Principal, building_id: str, keyset: Keyset, *,
                            stage: str | None, category: str | None, mine: bool) -> list[asyncpg.Record]:
    actor = await actor_for(conn, who)
    building = await _building(conn, actor, building_id)
    author = person_of(actor) if mine else None
    return await store.page(conn, building["street_id"], building["id"], keyset, stage=stage, category=category,
                            author_id=author)


async def update(conn: asyncpg.Connection, who: Principal, proposal_id: str, changes: dict[str, Any],
                 precondition: Precondition) -> asyncpg.Record:
    """The author edits the text while collecting (409 ``wrong_stage`` after)."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    ensure_for(actor, actor.person_id == proposal["author_id"])
    precondition(proposal)
    stages.ensure_stage(proposal["stage"], "collecting")
    if not changes:
        return proposal
    updated = await store.update(conn, proposal["id"], changes)
    await record_event(conn, "proposal.updated", updated, {"changed": sorted(changes)})
    return updated


async def transition(conn: asyncpg.Connection, who: Principal, proposal_id: str, body: dict[str, Any],
                     precondition: Precondition, now: datetime) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    precondition(proposal)
    request = stages.TransitionRequest(
        to=body["to"], outcome=body.get("outcome"), reason=body.get("reason"),
        duplicate_of=body.get("duplicate_of"), has_ballot=body.get("ballot") is not None,
        is_author=actor.person_id == proposal["author_id"], is_leader=actor.leader_of(place_of(proposal)))
    move = stages.requested_move(proposal["stage"], request)
    if move.outcome == "duplicate":
        original = await store.get(conn, proposal["street_id"], body["duplicate_of"])
        if original is None or original["building_id"] != proposal["building_id"] or original["id"] == proposal["id"]:
            raise RuleViolation("invalid_duplicate_of")
        proposal = await store.update(conn, proposal["id"], {"duplicate_of": original["id"]})
    if move.to == "voting":
        proposal = await ballots.open_vote(conn, proposal, body["ballot"], now)
    return await apply_move(conn, proposal, move, now=now, actor=actor)


async def support(conn: asyncpg.Connection, who: Principal, proposal_id: str, household_id: str | None,
                  now: datetime) -> asyncpg.Record:
    """One support per household. The row lock serialises supports of one proposal, so the
    crossing of the threshold is seen — and acted on — by exactly one of them."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    household = acting_household(actor, proposal["building_id"], household_id)
    stages.ensure_stage(proposal["stage"], "collecting")
    count = await store.add_support(conn, proposal, household, person_of(actor))
    if count is None:
        raise Conflict("already_supported")
    proposal = await store.get(conn, proposal["street_id"], proposal["id"])
    await record_event(conn, "proposal.supported", proposal, {"household_id": household, "support_count": count})
    move = stages.support_reached(proposal["stage"], count, proposal["support_threshold"])
    if move is not None:
        proposal = await apply_move(conn, proposal, move, now=now, actor=None)
    return proposal


async def withdraw_support(conn: asyncpg.Connection, who: Principal, proposal_id: str,
                           household_id: str | None) -> None:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    household = acting_household(actor, proposal["building_id"], household_id)
    stages.ensure_stage(proposal["stage"], "collecting")
    if await store.remove_support(conn, proposal["id"], household):
        await record_event(conn, "proposal.support_withdrawn", proposal, {"household_id": household})
