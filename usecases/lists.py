"""Needs and partner resources of a community (需求清单 · 资源清单): residents and leaders raise
needs, partner organisations (their members, or the community's staff for them) offer
resources; projects (usecases/lists_projects.py) match the two. The rules are domain/lists.py,
who may do what the policy's (domain/permissions.py); free text is checked before it is saved
(decided at once: usecases/moderation.py ``check_now``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import lists as rules
from domain.errors import NotFound, RuleViolation
from domain.lists import Need, PartnerResource
from domain.permissions import (
    Actor,
    Place,
    Principal,
    ensure_for,
    may_offer_resource,
    may_raise_need,
    may_see_lists,
)
from store import lists as store
from store.paging import Keyset
from usecases import organizations, places
from usecases.actors import actor_for
from usecases.kernel import actor_ref, changes_of, record_event, visible_or_404
from usecases.moderation import ContentChecker

SCENE = "proposal"  # needs, resources, projects and agreements are read by the whole community


class NewNeed(msgspec.Struct, kw_only=True):
    title: str
    description: str = ""
    category: str
    building_id: str | None = None


class ChangeNeed(msgspec.Struct, kw_only=True):
    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    category: str | UnsetType = UNSET
    building_id: str | None | UnsetType = UNSET


class MoveNeed(msgspec.Struct, kw_only=True):
    to: str
    reason: str | None = None


class NewResource(msgspec.Struct, kw_only=True):
    organization_id: str
    kind: str
    description: str
    capacity: int | None = None
    available_from: date | None = None
    available_until: date | None = None


class ChangeResource(msgspec.Struct, kw_only=True):
    organization_id: str | UnsetType = UNSET
    kind: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    capacity: int | None | UnsetType = UNSET
    available_from: date | None | UnsetType = UNSET
    available_until: date | None | UnsetType = UNSET
    status: str | UnsetType = UNSET


# The community of a list

async def community_of_lists(conn: asyncpg.Connection, actor: Actor, community_id: str) -> Place:
    """The community's place when the actor may see its lists, else 404."""
    community = await places.find_community(conn, actor.principal.street_id, community_id)
    if community is None:
        raise NotFound("not_found")
    place = rules.community_place(community.street_id, community.id)
    if not may_see_lists(actor, place):
        raise NotFound("not_found")
    return place


async def check_text(checker: ContentChecker | None, conn: asyncpg.Connection, who: Principal,
                     texts: list[str]) -> None:
    if checker is not None:
        await checker.check_now(conn, who, [t for t in texts if t], SCENE)


# Needs

def _is_raiser(actor: Actor, need: Need) -> bool:
    return actor.person_id is not None and need.raised_by_type == "person" and need.raised_by_id == actor.person_id


async def visible_need(conn: asyncpg.Connection, actor: Actor, need_id: str, *, lock: bool = False) -> Need:
    need = await store.get(conn, Need, actor.principal.street_id, need_id, lock=lock)
    return visible_or_404(need, lambda n: may_see_lists(actor, rules.place_of_need(n)))


async def get_need(conn: asyncpg.Connection, who: Principal, need_id: str) -> Need:
    return await visible_need(conn, await actor_for(conn, who), need_id)


async def list_needs(conn: asyncpg.Connection, who: Principal, community_id: str, keyset: Keyset, *,
                     status: str | None, category: str | None, building_id: str | None) -> list[Need]:
    actor = await actor_for(conn, who)
    await community_of_lists(conn, actor, community_id)
    return await store.page(conn, Need, who.street_id, community_id, keyset,
                            {"status": status, "category": category, "building_id": building_id})


async def raise_need(conn: asyncpg.Connection, who: Principal, community_id: str, command: NewNeed,
                     checker: ContentChecker | None = None) -> Need:
    actor = await actor_for(conn, who)
    place = await places.place_in_community(conn, await community_of_lists(conn, actor, community_id), command.building_id)
    ensure_for(actor, may_raise_need(actor, place))
    await check_text(checker, conn, who, [command.title, command.description])
    by_type, by_id = actor_ref(actor)
    need = await store.insert(conn, Need, {
        "street_id": place.street_id, "community_id": place.community_id, "building_id": place.building_id,
        "raised_by_type": by_type, "raised_by_id": by_id, "title": command.title,
        "description": command.description, "category": command.category})
    await record_event(conn, "need.created", "need", need, {"category": need.category, "status": need.status})
    return need


async def change_need(conn: asyncpg.Connection, who: Principal, need_id: str, command: ChangeNeed,
                      precondition: Callable[[Need], None], checker: ContentChecker | None = None) -> Need:
    """Its raiser while it is open, its leaders until it is met or closed."""
    actor = await actor_for(conn, who)
    need = await visible_need(conn, actor, need_id, lock=True)
    leader = actor.leader_of(rules.place_of_need(need))
    ensure_for(actor, leader or _is_raiser(actor, need))
    precondition(need)
    rules.ensure_need_changeable(need.status)
    ensure_for(actor, rules.may_change_need(need.status, is_raiser=_is_raiser(actor, need), is_leader=leader))
    changes = changes_of(command)
    if not changes:
        return need
    if "building_id" in changes:
        place = await places.place_in_community(conn, rules.community_place(need.street_id, need.community_id),
                                  changes["building_id"])
        ensure_for(actor, may_raise_need(actor, place))
    await check_text(checker, conn, who, [changes.get("title", ""), changes.get("description", "")])
    updated = await store.update(conn, Need, need.id, changes)
    await record_event(conn, "need.updated", "need", updated, {"changed": sorted(changes)})
    return updated


async def move_need(conn: asyncpg.Connection, who: Principal, need_id: str, command: MoveNeed,
                    precondition: Callable[[Need], None], now: datetime) -> Need:
    actor = await actor_for(conn, who)
    need = await visible_need(conn, actor, need_id, lock=True)
    precondition(need)
    is_raiser = _is_raiser(actor, need)
    rules.need_move(need.status, rules.NeedRequest(
        to=command.to, reason=command.reason, is_raiser=is_raiser,
        is_leader=actor.leader_of(rules.place_of_need(need))))
    updated = await store.close_need(conn, need.id, reason=command.reason, at=now, by=actor.person_id)
    await need_moved(conn, need, updated, actor, typed=True)
    return updated


async def need_moved(conn: asyncpg.Connection, before: Need, after: Need, actor: Actor | None, *,
                     typed: bool = False) -> None:
    """``need.status_changed``; a reason a person typed stays on the need, out of the event."""
    by_type, by_id = actor_ref(actor)
    await record_event(conn, "need.status_changed", "need", after, {
        "from": before.status, "to": after.status, "project_id": after.project_id or before.project_id,
        "reason": None if typed else after.reason, "by": {"type": by_type, "id": by_id}})


# Resources

async def _check_organization(conn: asyncpg.Connection, place: Place, organization_id: str) -> None:
    """The organisation is of the street, at street level or of this community (else 422)."""
    found = await organizations.find(conn, place.street_id, organization_id)
    if found is None or found.community_id not in (None, place.community_id):
        raise RuleViolation("invalid_organization")


async def visible_resource(conn: asyncpg.Connection, actor: Actor, resource_id: str, *,
                           lock: bool = False) -> PartnerResource:
    found = await store.get(conn, PartnerResource, actor.principal.street_id, resource_id, lock=lock)
    return visible_or_404(found, lambda r: may_see_lists(
        actor, rules.community_place(r.street_id, r.community_id)) or r.organization_id in actor.grants.organizations)


async def get_resource(conn: asyncpg.Connection, who: Principal, resource_id: str) -> PartnerResource:
    return await visible_resource(conn, await actor_for(conn, who), resource_id)


async def list_resources(conn: asyncpg.Connection, who: Principal, community_id: str, keyset: Keyset, *,
                         kind: str | None, organization_id: str | None, status: str | None) -> list[PartnerResource]:
    actor = await actor_for(conn, who)
    await community_of_lists(conn, actor, community_id)
    return await store.page(conn, PartnerResource, who.street_id, community_id, keyset,
                            {"kind": kind, "organization_id": organization_id, "status": status})


async def offer_resource(conn: asyncpg.Connection, who: Principal, community_id: str, command: NewResource,
                         checker: ContentChecker | None = None) -> PartnerResource:
    actor = await actor_for(conn, who)
    place = await community_of_lists(conn, actor, community_id)
    ensure_for(actor, may_offer_resource(actor, place, command.organization_id))
    await _check_organization(conn, place, command.organization_id)
    rules.check_dates(command.available_from, command.available_until)
    await check_text(checker, conn, who, [command.description])
    by_type, by_id = actor_ref(actor)
    resource = await store.insert(conn, PartnerResource, {
        "street_id": place.street_id, "community_id": place.community_id, **msgspec.structs.asdict(command),
        "created_by_type": by_type, "created_by_id": by_id})
    await record_event(conn, "resource.created", "resource", resource, {
        "organization_id": resource.organization_id, "kind": resource.kind, "status": resource.status})
    return resource


async def change_resource(conn: asyncpg.Connection, who: Principal, resource_id: str, command: ChangeResource,
                          precondition: Callable[[PartnerResource], None],
                          checker: ContentChecker | None = None) -> PartnerResource:
    actor = await actor_for(conn, who)
    resource = await visible_resource(conn, actor, resource_id, lock=True)
    place = rules.community_place(resource.street_id, resource.community_id)
    ensure_for(actor, may_offer_resource(actor, place, resource.organization_id))
    precondition(resource)
    changes = changes_of(command)
    if not changes:
        return resource
    if "organization_id" in changes:
        ensure_for(actor, may_offer_resource(actor, place, changes["organization_id"]))
        await _check_organization(conn, place, changes["organization_id"])
    rules.check_dates(changes.get("available_from", resource.available_from),
                      changes.get("available_until", resource.available_until))
    await check_text(checker, conn, who, [changes.get("description", "")])
    updated = await store.update(conn, PartnerResource, resource.id, changes)
    await record_event(conn, "resource.updated", "resource", updated, {"changed": sorted(changes),
                                                                       "status": updated.status})
    return updated
