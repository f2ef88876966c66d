"""Comments (threaded, hidden by leaders with a reason), options, evaluations and the
timeline of a proposal."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain import proposals as stages
from domain.errors import Conflict, NotFound, RuleViolation
from domain.permissions import Principal, ensure_for
from store import proposal_parts as parts
from store import proposals as store
from store.events import Subject
from store.paging import Keyset
from usecases.actors import actor_for
from usecases.proposal_stages import acting_household, person_of, place_of, record_event, visible_proposal


async def add_comment(conn: asyncpg.Connection, who: Principal, proposal_id: str,
                      fields: dict[str, Any]) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id)
    person = person_of(actor)
    stages.ensure_stage(proposal["stage"], *[s for s in stages.STAGES if s != "closed"])
    parent_id = fields.get("parent_id")
    if parent_id is not None:
        parent = await parts.get_comment(conn, proposal["street_id"], parent_id)
        if parent is None or parent["proposal_id"] != proposal["id"]:
            raise RuleViolation("invalid_parent")
    comment = await parts.add_comment(conn, proposal, author_id=person, parent_id=parent_id, body=fields["body"])
    await record_event(conn, "comment.created", proposal, {"comment_id": comment["id"], "parent_id": parent_id},
                       subject=Subject("comment", comment["id"]))
    return comment


async def list_comments(conn: asyncpg.Connection, who: Principal, proposal_id: str, keyset: Keyset,
                        parent_id: str | None) -> list[asyncpg.Record]:
    proposal = await visible_proposal(conn, await actor_for(conn, who), proposal_id)
    return await parts.comments_page(conn, proposal["id"], keyset, parent_id)


async def hide_comment(conn: asyncpg.Connection, who: Principal, comment_id: str, reason: str) -> asyncpg.Record:
    actor = await actor_for(conn, who)
    comment = await parts.get_comment(conn, who.street_id, comment_id, for_update=True)
    if comment is None:
        raise NotFound("not_found")
    proposal = await visible_proposal(conn, actor, comment["proposal_id"])
    ensure_for(actor, actor.leader_of(place_of(proposal)))
    if comment["hidden_at"] is not None:
        return comment
    by = actor.person_id or actor.principal.client_id
    hidden = await parts.hide_comment(conn, comment["id"], reason, by)
    await record_event(conn, "comment.hidden", proposal, {"comment_id": comment["id"]},
                       subject=Subject("comment", comment["id"]))
    return hidden


async def add_option(conn: asyncpg.Connection, who: Principal, proposal_id: str,
                     fields: dict[str, Any]) -> asyncpg.Record:
    """The author or a leader adds options before the vote opens."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    ensure_for(actor, actor.person_id == proposal["author_id"] or actor.leader_of(place_of(proposal)))
    stages.ensure_stage(proposal["stage"], *stages.OPEN_STAGES)
    if len(await parts.option_ids(conn, proposal["id"])) >= stages.MAX_OPTIONS:
        raise RuleViolation("too_many_options", {"max": stages.MAX_OPTIONS})
    option = await parts.add_option(conn, proposal, fields["title"], fields.get("description", ""),
                                    created_by=actor.person_id)
    await record_event(conn, "proposal.option_added", proposal, {"option_id": option["id"]})
    return option


async def list_options(conn: asyncpg.Connection, who: Principal, proposal_id: str,
                       keyset: Keyset) -> list[asyncpg.Record]:
    proposal = await visible_proposal(conn, await actor_for(conn, who), proposal_id)
    return await parts.options_page(conn, proposal["id"], keyset)


async def evaluate(conn: asyncpg.Connection, who: Principal, proposal_id: str,
                   fields: dict[str, Any]) -> asyncpg.Record:
    """Each household rates once while the proposal is being evaluated."""
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id, lock="update")
    household = acting_household(actor, proposal["building_id"], fields.get("household_id"))
    stages.ensure_stage(proposal["stage"], "evaluating")
    updated = await parts.add_evaluation(conn, proposal, household_id=household, person_id=person_of(actor),
                                         stars=fields["stars"], text=fields.get("text", ""))
    if updated is None:
        raise Conflict("already_evaluated")
    await record_event(conn, "proposal.evaluated", updated, {"household_id": household, "stars": fields["stars"]})
    return updated


async def timeline(conn: asyncpg.Connection, who: Principal, proposal_id: str,
                   keyset: Keyset) -> list[asyncpg.Record]:
    proposal = await visible_proposal(conn, await actor_for(conn, who), proposal_id)
    return await store.timeline_page(conn, proposal["id"], keyset)
