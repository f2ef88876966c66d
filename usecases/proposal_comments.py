"""A proposal's threaded comments: written by those who see the proposal until it closes,
hidden (with a reason) by the building's leaders."""

from __future__ import annotations

import dataclasses

import asyncpg
import msgspec

from domain import proposals as stages
from domain.errors import NotFound, RuleViolation
from domain.moderation import SCENES
from domain.permissions import Principal, ensure_for
from domain.proposals import Comment, Proposal
from store import proposal_comments as store
from store.events import Subject, append_event
from store.paging import Keyset
from usecases import moderation
from usecases.actors import actor_for
from usecases.kernel import person_of, place_of
from usecases.moderation import ContentChecker
from usecases.proposals import visible_proposal


class NewComment(msgspec.Struct, frozen=True):
    body: str
    parent_id: str | None = None


async def _record(conn: asyncpg.Connection, type: str, proposal: Proposal, comment_id: str,
                  data: dict[str, object]) -> None:
    # The event is about the comment, and names its proposal (as webhook consumers expect).
    await append_event(conn, type=type, street_id=proposal.street_id, subject=Subject("comment", comment_id),
                       community_id=proposal.community_id, building_id=proposal.building_id,
                       data={"proposal_id": proposal.id, "comment_id": comment_id, **data})


async def add(conn: asyncpg.Connection, who: Principal, proposal_id: str, command: NewComment,
              checker: ContentChecker | None = None) -> Comment:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id)
    person = person_of(actor)
    stages.ensure_stage(proposal.stage, *[s for s in stages.STAGES if s != "closed"])
    if command.parent_id is not None:
        parent = await store.get(conn, proposal.street_id, command.parent_id)
        if parent is None or parent.proposal_id != proposal.id:
            raise RuleViolation("invalid_parent")
    checked = checker and await checker.check(conn, who, [command.body], SCENES["comment"])
    comment = await store.add(conn, proposal, author_id=person, parent_id=command.parent_id, body=command.body)
    await _record(conn, "comment.created", proposal, comment.id, {"parent_id": command.parent_id})
    state = await moderation.record(conn, "comment", comment, checked)
    return comment if state is None else dataclasses.replace(comment, moderation=state)


async def page(conn: asyncpg.Connection, who: Principal, proposal_id: str, keyset: Keyset,
               parent_id: str | None) -> list[Comment]:
    actor = await actor_for(conn, who)
    proposal = await visible_proposal(conn, actor, proposal_id)
    leader = actor.leader_of(place_of(proposal))
    return await store.page(conn, proposal.id, keyset, parent_id,
                            held_unless=None if leader else actor.person_id or "")


async def hide(conn: asyncpg.Connection, who: Principal, comment_id: str, reason: str) -> Comment:
    actor = await actor_for(conn, who)
    comment = await store.get(conn, who.street_id, comment_id, for_update=True)
    if comment is None:
        raise NotFound("not_found")
    proposal = await visible_proposal(conn, actor, comment.proposal_id)
    ensure_for(actor, actor.leader_of(place_of(proposal)))
    if comment.hidden_at is not None:
        return comment
    by = actor.person_id or actor.principal.client_id
    hidden = await store.hide(conn, comment.id, reason, by)
    await _record(conn, "comment.hidden", proposal, comment.id, {})
    return hidden
