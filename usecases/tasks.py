"""Tasks of a building's list: made by leaders (or from a proposal, a report, a dispatch),
worked by their assignee — a person or an organisation's members — and verified by a leader
(or, for a report's task, by its reporter). Verification credits the points, resolves the
report and may move the proposal to evaluation. Who may do what is domain/tasks.py; the
overdue ladder's jobs are usecases/tasks_jobs.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import tasks as rules
from domain.errors import Forbidden, NotFound, RuleViolation
from domain.ids import new_id
from domain.permissions import Actor, Place, Principal, ensure_for, ensure_street_wide, require_scope
from domain.reports import task_defaults
from domain.tasks import ProgressNote, Task
from store import tasks as store
from store.paging import Keyset
from usecases import media, members, organizations, places, points, proposals, reports
from usecases.actors import actor_for
from usecases.kernel import actor_ref, changes_of, person_of, place_of, record_event, visible_or_404
from usecases.proposals import start_evaluation_if_tasks_done
from usecases.tasks_jobs import schedule_deadlines

MAX_DISPATCH = 500


# Commands

class Assignee(msgspec.Struct, frozen=True):
    type: str  # person | organization
    id: str


class ChecklistItem(msgspec.Struct, frozen=True):
    text: str
    done: bool = False


class NewTask(msgspec.Struct, kw_only=True):
    title: str
    description: str = ""
    assignee: Assignee | None = None
    due_at: datetime | None = None
    priority: str = "normal"
    checklist: list[ChecklistItem] = []
    points: int = 0


class CreateTask(NewTask, kw_only=True):
    source: str = "manual"  # manual | proposal
    source_id: str | None = None


class DispatchTask(NewTask, kw_only=True):
    building_ids: list[str] | None = None  # None: every building of the community (or street)
    community_id: str | None = None  # on the street's route: the buildings of this community


class TaskOfReport(msgspec.Struct, kw_only=True):
    """A report's task: what is left ``UNSET`` comes from the report (domain.reports.task_defaults)."""

    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    assignee: Assignee | None = None
    due_at: datetime | None = None
    priority: str | UnsetType = UNSET
    checklist: list[ChecklistItem] = []
    points: int = 0


class ChangeTask(msgspec.Struct, kw_only=True):
    """A partial update: ``UNSET`` fields are left alone."""

    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    assignee: Assignee | None | UnsetType = UNSET
    due_at: datetime | None | UnsetType = UNSET
    priority: str | UnsetType = UNSET
    checklist: list[ChecklistItem] | UnsetType = UNSET
    points: int | UnsetType = UNSET


class MoveTask(msgspec.Struct, kw_only=True):
    to: str
    reason: str | None = None


class NoteProgress(msgspec.Struct, kw_only=True):
    note: str
    photo_urls: list[str] = []
    media_ids: list[str] = []  # the author's own uploads (usecases/media.py)


# Reading

async def visible_task(conn: asyncpg.Connection, actor: Actor, task_id: str, *, lock: bool = False) -> Task:
    task = await store.get(conn, actor.principal.street_id, task_id, lock=lock)
    return visible_or_404(task, lambda t: rules.may_see(actor, t))


async def get(conn: asyncpg.Connection, who: Principal, task_id: str) -> Task:
    return await visible_task(conn, await actor_for(conn, who), task_id)


async def list_for_building(conn: asyncpg.Connection, who: Principal, building_id: str, keyset: Keyset, *,
                            status: str | None, assignee_id: str | None, overdue: bool,
                            source: str | None, dispatch_id: str | None = None) -> list[Task]:
    """Those who see the building see its list; an organisation's member (or an assignee)
    who does not sees only the tasks assigned to them or their organisations."""
    actor = await actor_for(conn, who)
    place = await places.place_of_building(conn, who.street_id, building_id)
    assigned_to = None
    if not actor.sees(place):
        if not actor.grants.organizations:
            raise NotFound("not_found")
        assigned_to = rules.assignee_keys(actor)
    return await store.page(conn, who.street_id, keyset, building_id=building_id, assigned_to=assigned_to,
                            status=status, assignee_id=assignee_id, overdue=overdue,
                            **_of_dispatch(source, dispatch_id))


def _of_dispatch(source: str | None, dispatch_id: str | None) -> dict[str, str | None]:
    """``dispatch_id`` follows one dispatch: its tasks are those of source ``dispatch`` with it
    (with another ``source`` named too, nothing matches)."""
    if dispatch_id is None:
        return {"source": source}
    return {"source": source or "dispatch", "source_id": dispatch_id}


async def list_for_street(conn: asyncpg.Connection, who: Principal, keyset: Keyset, *, status: str | None,
                          overdue: bool, source: str | None, dispatch_id: str | None) -> list[Task]:
    """Every task of the street: its officers, and platform clients with ``street:read``."""
    actor = await actor_for(conn, who)
    ensure_street_wide(actor, write=False)
    return await store.page(conn, who.street_id, keyset, status=status, overdue=overdue,
                            **_of_dispatch(source, dispatch_id))


async def list_mine(conn: asyncpg.Connection, who: Principal, keyset: Keyset, *, status: str | None,
                    overdue: bool, source: str | None, dispatch_id: str | None = None) -> list[Task]:
    actor = await actor_for(conn, who)
    person_of(actor)
    return await store.page(conn, who.street_id, keyset, assigned_to=rules.assignee_keys(actor), status=status,
                            overdue=overdue, **_of_dispatch(source, dispatch_id))


# Making tasks

async def create(conn: asyncpg.Connection, who: Principal, building_id: str, command: CreateTask) -> Task:
    rules.check_due(command.due_at)
    actor = await actor_for(conn, who)
    place = await places.place_of_building(conn, who.street_id, building_id)
    if not actor.sees(place):
        raise NotFound("not_found")
    ensure_for(actor, actor.leader_of(place))
    if command.source == "proposal":
        if not command.source_id or await proposals.building_of(conn, who.street_id, command.source_id) != building_id:
            raise RuleViolation("invalid_source")
    elif command.source_id is not None:
        raise RuleViolation("invalid_source")
    return await insert_task(conn, actor, place, command, source=command.source, source_id=command.source_id)


async def insert_task(conn: asyncpg.Connection, actor: Actor | None, place: Place, command: NewTask, *,
                      source: str, source_id: str | None, reporter_id: str | None = None) -> Task:
    """Make one task (with its deadline jobs and its event); every way of making one ends here."""
    await _check_assignee(conn, place.street_id, command.assignee)
    by_type, by_id = actor_ref(actor)
    task = await store.insert(conn, {
        **_columns(command, ("title", "description", "assignee", "due_at", "priority", "checklist", "points")),
        "street_id": place.street_id, "community_id": place.community_id, "building_id": place.building_id,
        "source": source, "source_id": source_id, "reporter_id": reporter_id, "created_by_type": by_type,
        "created_by_id": by_id})
    await record_event(conn, "task.created", "task", task, {
        "source": source, "source_id": source_id, "priority": task.priority,
        "assignee": {"type": task.assignee_type, "id": task.assignee_id} if task.assignee_id else None,
        "due_at": task.due_at.isoformat() if task.due_at else None})
    await schedule_deadlines(conn, task)
    return task


async def create_rectification(conn: asyncpg.Connection, actor: Actor, place: Place, command: NewTask, *,
                               campaign_id: str) -> Task:
    """A 最美楼栋 campaign's rectification task (自评整改) of a nominated building: the campaign
    (usecases/campaigns.py) has checked who asks; the task is an ordinary one of source ``campaign``."""
    rules.check_due(command.due_at)
    return await insert_task(conn, actor, place, command, source="campaign", source_id=campaign_id)


async def from_report(conn: asyncpg.Connection, who: Principal, report_id: str, command: TaskOfReport,
                      now: datetime) -> Task:
    """A leader turns a report into a linked task; the report moves to ``in_progress``."""
    rules.check_due(command.due_at)
    actor = await actor_for(conn, who)
    report = await reports.to_convert(conn, actor, report_id)
    title, description, priority = task_defaults(report)
    new = NewTask(title=_or(command.title, title), description=_or(command.description, description),
                  assignee=command.assignee, due_at=command.due_at, priority=_or(command.priority, priority),
                  checklist=command.checklist, points=command.points)
    task = await insert_task(conn, actor, place_of(report), new, source="report", source_id=report.id,
                             reporter_id=report.reporter_id)
    await reports.link_task(conn, actor, report, task.id, now)
    return task


async def dispatch(conn: asyncpg.Connection, who: Principal, command: DispatchTask, *,
                   community_id: str | None) -> tuple[str, list[Task]]:
    """One task per building of the community (or the street), or of the named ones in it.
    Persons: community staff (street officers for the street); platform clients: ``tasks:dispatch``."""
    rules.check_due(command.due_at)
    actor = await actor_for(conn, who)
    street = who.street_id
    if command.community_id is not None:
        if community_id not in (None, command.community_id):
            raise RuleViolation("invalid_buildings")
        community_id = command.community_id
    if community_id is not None and await places.find_community(conn, street, community_id) is None:
        raise NotFound("not_found")
    _may_dispatch(actor, Place(street, community_id=community_id))
    named = command.building_ids
    targets = await store.buildings_of(conn, street, community_id=community_id,
                                       building_ids=sorted(set(named)) if named else None)
    if not targets or (named and len(targets) != len(set(named))):
        raise RuleViolation("invalid_buildings")
    if len(targets) > MAX_DISPATCH:
        raise RuleViolation("too_many_buildings", {"max": MAX_DISPATCH})
    dispatch_id = new_id("dispatch")
    created = [await insert_task(conn, actor, Place(street, community_id=community, building_id=building), command,
                                 source="dispatch", source_id=dispatch_id) for community, building in targets]
    return dispatch_id, created


async def for_project(conn: asyncpg.Connection, actor: Actor, targets: list[Place], command: NewTask,
                      project_id: str) -> list[Task]:
    """A project's work (usecases/lists_projects.py): one task per building it concerns, made
    as a dispatch makes them, with source ``project``."""
    rules.check_due(command.due_at)
    return [await insert_task(conn, actor, place, command, source="project", source_id=project_id)
            for place in targets]


def _may_dispatch(actor: Actor, place: Place) -> None:
    if actor.is_platform:
        require_scope(actor.principal, "tasks:dispatch")
        return
    allowed = actor.grants.street_officer if place.community_id is None else actor.staff_of(place)
    if not allowed:
        raise Forbidden("not_allowed")


# Changing and moving

async def update(conn: asyncpg.Connection, who: Principal, task_id: str, command: ChangeTask,
                 precondition: Callable[[Task], None]) -> Task:
    """Leaders change any field; the assignee may only tick the checklist."""
    changes = changes_of(command)
    if "due_at" in changes:
        rules.check_due(changes["due_at"])
    actor = await actor_for(conn, who)
    task = await visible_task(conn, actor, task_id, lock=True)
    leader = actor.leader_of(place_of(task))
    ensure_for(actor, leader or (rules.is_assignee(actor, task) and set(changes) <= {"checklist"}))
    precondition(task)
    rules.ensure_changeable(task.status)
    if not changes:
        return task
    if command.assignee is not UNSET:
        await _check_assignee(conn, task.street_id, command.assignee)
    stored = _columns(command, tuple(changes))
    if "due_at" in stored and rules.due_moved_later(task.due_at, stored["due_at"]):
        stored["overdue_at"] = None  # moving the due time later clears the overdue state
    updated = await store.update(conn, task.id, stored)
    if "due_at" in stored:
        await schedule_deadlines(conn, updated)
    await record_event(conn, "task.updated", "task", updated, {"changed": sorted(changes)})
    return updated


async def transition(conn: asyncpg.Connection, who: Principal, task_id: str, command: MoveTask,
                     precondition: Callable[[Task], None], now: datetime) -> Task:
    actor = await actor_for(conn, who)
    task = await visible_task(conn, actor, task_id, lock=True)  # the row lock: one mover at a time
    precondition(task)
    move = rules.task_move(task.status, rules.TaskRequest(
        to=command.to, reason=command.reason, is_assignee=rules.is_assignee(actor, task),
        is_leader=actor.leader_of(place_of(task)), is_verifier=rules.is_verifier(actor, task)))
    updated = await store.move(conn, task.id, to=move.to, reason=move.reason, at=now, by=actor.person_id)
    by_type, by_id = actor_ref(actor)
    await record_event(conn, "task.status_changed", "task", updated, {
        "from": task.status, "to": move.to, "rejected": move.rejected,  # the typed reason stays on the task
        "by": {"type": by_type, "id": by_id}})
    if move.to == "verified":
        if updated.points > 0 and updated.assignee_type == "person" and updated.assignee_id:
            await points.credit(conn, street_id=updated.street_id, person_id=updated.assignee_id,
                                amount=updated.points, reason="task_verified", source_type="task",
                                source_id=updated.id, at=now)
        if updated.source == "report" and updated.source_id:
            await reports.resolve_for_task(conn, updated.street_id, updated.source_id, now)
    if move.to in rules.FINISHED and updated.source == "proposal" and updated.source_id:
        await _evaluate_proposal_when_done(conn, updated.street_id, updated.source_id, now)
    return updated


async def _evaluate_proposal_when_done(conn: asyncpg.Connection, street_id: str, proposal_id: str,
                                       now: datetime) -> None:
    """The proposal's last linked task is done with: it moves on to evaluation."""
    if rules.all_linked_verified(await store.statuses_of_source(conn, "proposal", proposal_id)):
        await start_evaluation_if_tasks_done(conn, proposal_id, street_id, now)


# Progress notes

async def add_update(conn: asyncpg.Connection, who: Principal, task_id: str,
                     command: NoteProgress) -> ProgressNote:
    actor = await actor_for(conn, who)
    task = await visible_task(conn, actor, task_id, lock=True)
    ensure_for(actor, rules.is_assignee(actor, task) or actor.leader_of(place_of(task)))
    rules.ensure_changeable(task.status)
    media_ids = await media.attach(conn, actor, command.media_ids)
    by_type, by_id = actor_ref(actor)
    note = await store.add_update(conn, task, author_type=by_type, author_id=by_id, note=command.note,
                                  photo_urls=list(command.photo_urls), media_ids=media_ids)
    await record_event(conn, "task.progress_noted", "task", task, {"update_id": note.id})
    return note


async def list_updates(conn: asyncpg.Connection, who: Principal, task_id: str,
                       keyset: Keyset) -> list[ProgressNote]:
    task = await visible_task(conn, await actor_for(conn, who), task_id)
    return await store.updates_page(conn, task.id, keyset)


# Helpers

async def _check_assignee(conn: asyncpg.Connection, street_id: str, assignee: Assignee | None | UnsetType) -> None:
    """422 ``invalid_assignee`` unless the person exists or the organisation is of the street."""
    if assignee is None or assignee is UNSET:
        return
    if assignee.type == "person":
        found = await members.person_exists(conn, assignee.id)
    else:
        found = await organizations.find(conn, street_id, assignee.id) is not None
    if not found:
        raise RuleViolation("invalid_assignee")


def _or(value: str | UnsetType, default: str) -> str:
    return default if isinstance(value, UnsetType) else value


def _columns(command: msgspec.Struct, names: tuple[str, ...]) -> dict[str, object]:
    """The named fields of a command as columns: the assignee as two, the checklist as JSON."""
    columns: dict[str, object] = {}
    for name in names:
        value = getattr(command, name)
        if name == "assignee":
            columns["assignee_type"] = value.type if value else None
            columns["assignee_id"] = value.id if value else None
        elif name == "checklist":
            columns["checklist"] = msgspec.to_builtins(value)
        else:
            columns[name] = value
    return columns
