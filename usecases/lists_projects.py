"""Projects of a community (项目清单): community staff match open needs (which become
``matched``) with partner resources and organisations; a project's work is tasks in the
buildings it concerns (source ``project``, made by usecases/tasks.py ``for_project``);
completing it meets its needs in the same transaction. Rules: domain/lists.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import lists as rules
from domain.errors import Conflict, RuleViolation
from domain.lists import Need, PartnerResource, Project
from domain.permissions import Actor, Place, Principal, ensure_for, may_run_projects, may_see_lists
from domain.tasks import Task
from store import lists as store
from store.paging import Keyset
from usecases import organizations, tasks
from usecases.actors import actor_for
from usecases.kernel import actor_ref, changes_of, record_event, visible_or_404
from usecases.lists import check_text, community_of_lists, need_moved
from usecases.moderation import ContentChecker


class NewProject(msgspec.Struct, kw_only=True):
    title: str
    description: str = ""
    building_ids: list[str] = []
    need_ids: list[str] = []
    resource_ids: list[str] = []
    organization_ids: list[str] = []


class ChangeProject(msgspec.Struct, kw_only=True):
    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    building_ids: list[str] | UnsetType = UNSET
    need_ids: list[str] | UnsetType = UNSET
    resource_ids: list[str] | UnsetType = UNSET
    organization_ids: list[str] | UnsetType = UNSET


class MoveProject(msgspec.Struct, kw_only=True):
    to: str


class ProjectTasks(tasks.NewTask, kw_only=True):
    building_ids: list[str] | None = None  # None: every building the project concerns


# Reading

async def _with_needs(conn: asyncpg.Connection, project: Project) -> Project:
    return dataclasses.replace(project, need_ids=await store.need_ids_of(conn, project.id))


async def visible_project(conn: asyncpg.Connection, actor: Actor, project_id: str, *,
                          lock: bool = False) -> Project:
    found = await store.get(conn, Project, actor.principal.street_id, project_id, lock=lock)
    project = visible_or_404(found, lambda p: may_see_lists(actor, rules.community_place(p.street_id, p.community_id)))
    return await _with_needs(conn, project)


async def get(conn: asyncpg.Connection, who: Principal, project_id: str) -> Project:
    return await visible_project(conn, await actor_for(conn, who), project_id)


async def page(conn: asyncpg.Connection, who: Principal, community_id: str, keyset: Keyset, *,
               status: str | None) -> list[Project]:
    actor = await actor_for(conn, who)
    await community_of_lists(conn, actor, community_id)
    found = await store.page(conn, Project, who.street_id, community_id, keyset, {"status": status})
    needs = await store.need_ids_of_many(conn, [p.id for p in found])
    return [dataclasses.replace(p, need_ids=needs[p.id]) for p in found]


# Making and changing

async def _check_links(conn: asyncpg.Connection, place: Place, links: dict[str, list[str]]) -> dict[str, list[str]]:
    """The named buildings, resources and organisations, each distinct, of the community (the
    organisations: of the street, at its level or the community's); else 422."""
    assert place.community_id is not None
    checked = {name: sorted(set(ids)) for name, ids in links.items()}
    if "building_ids" in checked and checked["building_ids"] != await store.buildings_of(
            conn, place.street_id, place.community_id, checked["building_ids"]):
        raise RuleViolation("invalid_buildings")
    if "resource_ids" in checked and await store.count_in(
            conn, PartnerResource, place.street_id, place.community_id,
            checked["resource_ids"]) != len(checked["resource_ids"]):
        raise RuleViolation("invalid_project_links", {"field": "resource_ids"})
    for organization_id in checked.get("organization_ids", []):
        found = await organizations.find(conn, place.street_id, organization_id)
        if found is None or found.community_id not in (None, place.community_id):
            raise RuleViolation("invalid_project_links", {"field": "organization_ids"})
    return checked


async def _take_needs(conn: asyncpg.Connection, actor: Actor, project: Project, need_ids: list[str],
                      now: datetime) -> None:
    """Match the named needs to the project: each must be an open need of its community (422
    when it is not one; 409 ``wrong_need_status`` when it is no longer open)."""
    if not need_ids:
        return
    assert project.community_id is not None
    if await store.count_in(conn, Need, project.street_id, project.community_id, need_ids) != len(need_ids):
        raise RuleViolation("invalid_project_links", {"field": "need_ids"})
    taken = await store.match_needs(conn, project.street_id, project.community_id, project.id, need_ids, now)
    if len(taken) != len(need_ids):
        raise Conflict("wrong_need_status", {"status": "not_open"})
    for need in sorted(taken, key=lambda n: n.id):
        await need_moved(conn, dataclasses.replace(need, status="open", project_id=None), need, actor)


async def create(conn: asyncpg.Connection, who: Principal, community_id: str, command: NewProject, now: datetime,
                 checker: ContentChecker | None = None) -> Project:
    actor = await actor_for(conn, who)
    place = await community_of_lists(conn, actor, community_id)
    ensure_for(actor, may_run_projects(actor, place))
    links = await _check_links(conn, place, {"building_ids": command.building_ids,
                                             "resource_ids": command.resource_ids,
                                             "organization_ids": command.organization_ids})
    await check_text(checker, conn, who, [command.title, command.description])
    by_type, by_id = actor_ref(actor)
    project = await store.insert(conn, Project, {
        "street_id": place.street_id, "community_id": place.community_id, "title": command.title,
        "description": command.description, **links, "created_by_type": by_type, "created_by_id": by_id})
    await record_event(conn, "project.created", "project", project, {"status": project.status, **links})
    await _take_needs(conn, actor, project, sorted(set(command.need_ids)), now)
    return await _with_needs(conn, project)


async def update(conn: asyncpg.Connection, who: Principal, project_id: str, command: ChangeProject,
                 precondition: Callable[[Project], None], now: datetime,
                 checker: ContentChecker | None = None) -> Project:
    """Community staff change a project until it completes; a new ``need_ids`` matches the
    needs it adds and lets the ones it drops go (open again)."""
    actor = await actor_for(conn, who)
    project = await visible_project(conn, actor, project_id, lock=True)
    place = rules.community_place(project.street_id, project.community_id)
    ensure_for(actor, may_run_projects(actor, place))
    precondition(project)
    rules.ensure_project_open(project.status)
    changes = changes_of(command)
    if not changes:
        return project
    need_ids = changes.pop("need_ids", None)
    changes.update(await _check_links(conn, place, {k: v for k, v in changes.items() if k.endswith("_ids")}))
    await check_text(checker, conn, who, [changes.get("title", ""), changes.get("description", "")])
    updated = await store.update(conn, Project, project.id, changes) if changes else project
    if need_ids is not None:
        added, dropped = rules.need_changes(project.need_ids, need_ids)
        for need in await store.release_needs(conn, project.id, dropped):
            await need_moved(conn, dataclasses.replace(need, status="matched", project_id=project.id), need, actor)
        await _take_needs(conn, actor, updated, added, now)
        if not changes:
            updated = await store.update(conn, Project, project.id, {})  # its needs changed: a new ETag
    await record_event(conn, "project.updated", "project", updated, {
        "changed": sorted([*changes, *(["need_ids"] if need_ids is not None else [])])})
    return await _with_needs(conn, updated)


async def transition(conn: asyncpg.Connection, who: Principal, project_id: str, command: MoveProject,
                     precondition: Callable[[Project], None], now: datetime) -> Project:
    """planned → active → completed (community staff); completing meets every matched need."""
    actor = await actor_for(conn, who)
    project = await visible_project(conn, actor, project_id, lock=True)
    ensure_for(actor, may_run_projects(actor, rules.community_place(project.street_id, project.community_id)))
    precondition(project)
    to = rules.project_move(project.status, command.to)
    updated = await store.move_project(conn, project.id, to=to, at=now)
    by_type, by_id = actor_ref(actor)
    await record_event(conn, "project.status_changed", "project", updated, {
        "from": project.status, "to": to, "by": {"type": by_type, "id": by_id}})
    if to == "completed":
        for need in await store.meet_needs(conn, project.id, now):
            await need_moved(conn, dataclasses.replace(need, status="matched"), need, actor)
    return await _with_needs(conn, updated)


# Its work

async def make_tasks(conn: asyncpg.Connection, who: Principal, project_id: str,
                     command: ProjectTasks) -> list[Task]:
    """One task per building (the named ones, else all the project concerns), like a dispatch;
    the named ones must be buildings the project concerns when it names any, else buildings
    of its community (422 ``invalid_buildings``)."""
    actor = await actor_for(conn, who)
    project = await visible_project(conn, actor, project_id, lock=True)
    ensure_for(actor, may_run_projects(actor, rules.community_place(project.street_id, project.community_id)))
    rules.ensure_project_open(project.status)
    named = sorted(set(command.building_ids)) if command.building_ids else list(project.building_ids)
    if not named or (project.building_ids and not set(named) <= set(project.building_ids)):
        raise RuleViolation("invalid_buildings")
    assert project.community_id is not None
    if await store.buildings_of(conn, project.street_id, project.community_id, named) != named:
        raise RuleViolation("invalid_buildings")
    targets = [Place(project.street_id, community_id=project.community_id, building_id=b) for b in named]
    new = tasks.NewTask(**{f: getattr(command, f) for f in tasks.NewTask.__struct_fields__})
    return await tasks.for_project(conn, actor, targets, new, project.id)
