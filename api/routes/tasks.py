"""Task lists (任务清单): a building's tasks, their moves and progress notes, my tasks, and
dispatch to many buildings."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.routes.media import media_link
from api.schemas.common import command_of
from api.schemas.tasks import (
    AnyRef,
    Dispatch,
    ProgressNote,
    ProgressNoteCreate,
    Source,
    Task,
    TaskCreate,
    TaskDispatch,
    TaskStatus,
    TaskTransition,
    TaskUpdate,
    note_view,
    task_view,
)
from domain import tasks as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import tasks

StatusQuery = Annotated[TaskStatus | None, Parameter(query="status")]
AssigneeQuery = Annotated[AnyRef | None, Parameter(query="assignee", description="A person or organisation id")]  # type: ignore[valid-type]
OverdueQuery = Annotated[bool | None, Parameter(query="overdue", description="true: only overdue tasks")]
SourceQuery = Annotated[Source | None, Parameter(query="source")]
DispatchQuery = Annotated[str | None, Parameter(query="dispatch_id", max_length=64,
                                                description="Only the tasks of this dispatch (source=dispatch)")]


class TaskController(Controller):
    path = "/v1"
    tags = ["tasks"]
    security = BEARER

    @get("/buildings/{building_id:str}/tasks", operation_id="listBuildingTasks",
         summary="List the tasks of a building", responses=problems(READ))
    async def list_tasks(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, building_id: str,
                         status: StatusQuery = None, assignee: AssigneeQuery = None,  # type: ignore[valid-type]
                         overdue: OverdueQuery = None, source: SourceQuery = None,
                         dispatch_id: DispatchQuery = None) -> Page[Task]:
        found = await tasks.list_for_building(conn, principal, known_id("building", building_id), keyset,
                                              status=status, assignee_id=assignee, overdue=bool(overdue),
                                              source=source, dispatch_id=dispatch_id)
        return page_of(found, keyset, task_view)

    @get("/streets/tasks", operation_id="listStreetTasks",
         summary="List the tasks of the street, e.g. those of one dispatch (officers; platform: street:read)",
         responses=problems(READ))
    async def street_tasks(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                           status: StatusQuery = None, overdue: OverdueQuery = None, source: SourceQuery = None,
                           dispatch_id: DispatchQuery = None) -> Page[Task]:
        found = await tasks.list_for_street(conn, principal, keyset, status=status, overdue=bool(overdue),
                                            source=source, dispatch_id=dispatch_id)
        return page_of(found, keyset, task_view)

    @post("/buildings/{building_id:str}/tasks", operation_id="createBuildingTask",
          summary="Create a task of a building (leaders)", responses=problems(WRITE))
    async def create_task(self, request: Request, tx: asyncpg.Connection, principal: Principal, building_id: str,
                          data: TaskCreate) -> Response[Task]:
        task = await tasks.create(tx, principal, known_id("building", building_id), command_of(data, tasks.CreateTask))
        return resource_response(request, task_view(task), 201, headers={"Location": f"/v1/tasks/{task.id}"})

    @get("/me/tasks", operation_id="listMyTasks", summary="Tasks assigned to me or my organisations",
         responses=problems(READ))
    async def my_tasks(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                       status: StatusQuery = None, overdue: OverdueQuery = None,
                       source: SourceQuery = None, dispatch_id: DispatchQuery = None) -> Page[Task]:
        found = await tasks.list_mine(conn, principal, keyset, status=status, overdue=bool(overdue), source=source,
                                      dispatch_id=dispatch_id)
        return page_of(found, keyset, task_view)

    @get("/tasks/{task_id:str}", operation_id="getTask", summary="Read a task", responses=problems(READ))
    async def get_task(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                       task_id: str) -> Response[Task]:
        return resource_response(request, task_view(await tasks.get(conn, principal, known_id("task", task_id))))

    @patch("/tasks/{task_id:str}", operation_id="updateTask",
           summary="Change a task (leaders; the assignee may tick the checklist)", responses=problems(WRITE))
    async def update_task(self, request: Request, tx: asyncpg.Connection, principal: Principal, task_id: str,
                          data: TaskUpdate) -> Response[Task]:
        def precondition(current: domain.Task) -> None:
            check_if_match(request, task_view(current))

        task = await tasks.update(tx, principal, known_id("task", task_id), command_of(data, tasks.ChangeTask),
                                  precondition)
        return resource_response(request, task_view(task))

    @post("/tasks/{task_id:str}/transitions", operation_id="transitionTask",
          summary="Move a task: start, finish, verify, reject (back to in_progress) or cancel",
          responses=problems(WRITE), status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal, task_id: str,
                         data: TaskTransition) -> Response[Task]:
        def precondition(current: domain.Task) -> None:
            check_if_match(request, task_view(current))

        now = await business_clock(request).now(tx)
        task = await tasks.transition(tx, principal, known_id("task", task_id), command_of(data, tasks.MoveTask),
                                      precondition, now)
        return resource_response(request, task_view(task))

    @get("/tasks/{task_id:str}/updates", operation_id="listTaskUpdates",
         summary="Progress notes of a task", responses=problems(READ))
    async def list_updates(self, request: Request, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                           task_id: str) -> Page[ProgressNote]:
        notes = await tasks.list_updates(conn, principal, known_id("task", task_id), keyset)
        link = media_link(request)
        return page_of(notes, keyset, lambda note: note_view(note, link))

    @post("/tasks/{task_id:str}/updates", operation_id="addTaskUpdate",
          summary="Add a progress note with photos (the assignee or a leader)", responses=problems(WRITE))
    async def add_update(self, request: Request, tx: asyncpg.Connection, principal: Principal, task_id: str,
                         data: ProgressNoteCreate) -> Response[ProgressNote]:
        note = await tasks.add_update(tx, principal, known_id("task", task_id), command_of(data, tasks.NoteProgress))
        return resource_response(request, note_view(note, media_link(request)), 201)

    @post("/communities/{community_id:str}/tasks", operation_id="dispatchCommunityTasks",
          summary="Dispatch a task to the buildings of a community (staff; platform: tasks:dispatch)",
          responses=problems(WRITE))
    async def dispatch_community(self, tx: asyncpg.Connection, principal: Principal, community_id: str,
                                 data: TaskDispatch) -> Response[Dispatch]:
        dispatch_id, made = await tasks.dispatch(tx, principal, command_of(data, tasks.DispatchTask),
                                                 community_id=known_id("community", community_id))
        return Response(Dispatch(dispatch_id, len(made), [t.id for t in made]), status_code=201)

    @post("/streets/tasks", operation_id="dispatchStreetTasks",
          summary="Dispatch a task to buildings of the street (officers; platform: tasks:dispatch)",
          responses=problems(WRITE))
    async def dispatch_street(self, tx: asyncpg.Connection, principal: Principal,
                              data: TaskDispatch) -> Response[Dispatch]:
        dispatch_id, made = await tasks.dispatch(tx, principal, command_of(data, tasks.DispatchTask),
                                                 community_id=None)
        return Response(Dispatch(dispatch_id, len(made), [t.id for t in made]), status_code=201)
