"""The three lists of a community (需求 · 资源 · 项目清单): needs, partner resources, projects
and a project's tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.schemas.lists import (
    Need,
    NeedCategory,
    NeedCreate,
    NeedStatus,
    NeedTransition,
    NeedUpdate,
    Project,
    ProjectCreate,
    ProjectStatus,
    ProjectTasks,
    ProjectTasksCreate,
    ProjectTransition,
    ProjectUpdate,
    Resource,
    ResourceCreate,
    ResourceKind,
    ResourceStatus,
    ResourceUpdate,
    need_view,
    project_view,
    resource_view,
)
from api.services import services_of
from domain import lists as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import lists, lists_projects

IdQuery = Annotated[str | None, Parameter(max_length=64, pattern=r"^[\x21-\x7e]+$")]


def _need_view(principal: Principal) -> Callable[[domain.Need], Need]:
    return lambda need: need_view(need, principal.person_id)


class NeedController(Controller):
    path = "/v1"
    tags = ["needs"]
    security = BEARER

    @get("/communities/{community_id:str}/needs", operation_id="listCommunityNeeds",
         summary="The community's needs (需求清单)", responses=problems(READ))
    async def list_needs(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, community_id: str,
        status: Annotated[NeedStatus | None, Parameter(query="status")] = None,
        category: Annotated[NeedCategory | None, Parameter(query="category")] = None,
        building_id: Annotated[IdQuery, Parameter(query="building_id")] = None,
    ) -> Page[Need]:
        found = await lists.list_needs(conn, principal, known_id("community", community_id), keyset,
                                       status=status, category=category, building_id=building_id)
        return page_of(found, keyset, _need_view(principal))

    @post("/communities/{community_id:str}/needs", operation_id="createNeed",
          summary="Raise a need (residents of the community, leaders)", responses=problems(WRITE))
    async def create_need(self, request: Request, tx: asyncpg.Connection, principal: Principal, community_id: str,
                          data: NeedCreate) -> Response[Need]:
        need = await lists.raise_need(tx, principal, known_id("community", community_id),
                                      command_of(data, lists.NewNeed), services_of(request).content)
        return resource_response(request, _need_view(principal)(need), 201, headers={"Location": f"/v1/needs/{need.id}"})

    @get("/needs/{need_id:str}", operation_id="getNeed", summary="Read a need", responses=problems(READ))
    async def get_need(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                       need_id: str) -> Response[Need]:
        need = await lists.get_need(conn, principal, known_id("need", need_id))
        return resource_response(request, _need_view(principal)(need))

    @patch("/needs/{need_id:str}", operation_id="updateNeed",
           summary="Change a need (its raiser while open; its leaders until met or closed)", responses=problems(WRITE))
    async def update_need(self, request: Request, tx: asyncpg.Connection, principal: Principal, need_id: str,
                          data: NeedUpdate) -> Response[Need]:
        def precondition(current: domain.Need) -> None:
            check_if_match(request, _need_view(principal)(current))

        need = await lists.change_need(tx, principal, known_id("need", need_id), command_of(data, lists.ChangeNeed),
                                       precondition, services_of(request).content)
        return resource_response(request, _need_view(principal)(need))

    @post("/needs/{need_id:str}/transitions", operation_id="transitionNeed",
          summary="Close an open need (its raiser, or a leader with a reason)", responses=problems(WRITE),
          status_code=200)
    async def transition_need(self, request: Request, tx: asyncpg.Connection, principal: Principal, need_id: str,
                              data: NeedTransition) -> Response[Need]:
        def precondition(current: domain.Need) -> None:
            check_if_match(request, _need_view(principal)(current))

        now = await business_clock(request).now(tx)
        need = await lists.move_need(tx, principal, known_id("need", need_id), command_of(data, lists.MoveNeed),
                                     precondition, now)
        return resource_response(request, _need_view(principal)(need))


class ResourceController(Controller):
    path = "/v1"
    tags = ["resources"]
    security = BEARER

    @get("/communities/{community_id:str}/resources", operation_id="listCommunityResources",
         summary="The resources partner organisations offer the community (资源清单)", responses=problems(READ))
    async def list_resources(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, community_id: str,
        kind: Annotated[ResourceKind | None, Parameter(query="kind")] = None,
        organization_id: Annotated[IdQuery, Parameter(query="organization_id")] = None,
        status: Annotated[ResourceStatus | None, Parameter(query="status")] = None,
    ) -> Page[Resource]:
        found = await lists.list_resources(conn, principal, known_id("community", community_id), keyset,
                                           kind=kind, organization_id=organization_id, status=status)
        return page_of(found, keyset, resource_view)

    @post("/communities/{community_id:str}/resources", operation_id="createResource",
          summary="Offer a resource (a member of the organisation, or community staff on its behalf)",
          responses=problems(WRITE))
    async def create_resource(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              community_id: str, data: ResourceCreate) -> Response[Resource]:
        resource = await lists.offer_resource(tx, principal, known_id("community", community_id),
                                              command_of(data, lists.NewResource), services_of(request).content)
        return resource_response(request, resource_view(resource), 201,
                                 headers={"Location": f"/v1/resources/{resource.id}"})

    @get("/resources/{resource_id:str}", operation_id="getResource", summary="Read a resource",
         responses=problems(READ))
    async def get_resource(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                           resource_id: str) -> Response[Resource]:
        resource = await lists.get_resource(conn, principal, known_id("partner_resource", resource_id))
        return resource_response(request, resource_view(resource))

    @patch("/resources/{resource_id:str}", operation_id="updateResource",
           summary="Change or withdraw a resource (a member of the organisation, or community staff)",
           responses=problems(WRITE))
    async def update_resource(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              resource_id: str, data: ResourceUpdate) -> Response[Resource]:
        def precondition(current: domain.PartnerResource) -> None:
            check_if_match(request, resource_view(current))

        resource = await lists.change_resource(tx, principal, known_id("partner_resource", resource_id),
                                               command_of(data, lists.ChangeResource), precondition,
                                               services_of(request).content)
        return resource_response(request, resource_view(resource))


class ProjectController(Controller):
    path = "/v1"
    tags = ["projects"]
    security = BEARER

    @get("/communities/{community_id:str}/projects", operation_id="listCommunityProjects",
         summary="The community's projects (项目清单)", responses=problems(READ))
    async def list_projects(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, community_id: str,
        status: Annotated[ProjectStatus | None, Parameter(query="status")] = None,
    ) -> Page[Project]:
        found = await lists_projects.page(conn, principal, known_id("community", community_id), keyset, status=status)
        return page_of(found, keyset, project_view)

    @post("/communities/{community_id:str}/projects", operation_id="createProject",
          summary="Start a project matching needs with resources and organisations (community staff)",
          responses=problems(WRITE))
    async def create_project(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                             community_id: str, data: ProjectCreate) -> Response[Project]:
        now = await business_clock(request).now(tx)
        project = await lists_projects.create(tx, principal, known_id("community", community_id),
                                              command_of(data, lists_projects.NewProject), now,
                                              services_of(request).content)
        return resource_response(request, project_view(project), 201,
                                 headers={"Location": f"/v1/projects/{project.id}"})

    @get("/projects/{project_id:str}", operation_id="getProject", summary="Read a project", responses=problems(READ))
    async def get_project(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                          project_id: str) -> Response[Project]:
        project = await lists_projects.get(conn, principal, known_id("project", project_id))
        return resource_response(request, project_view(project))

    @patch("/projects/{project_id:str}", operation_id="updateProject",
           summary="Change a project, its needs, resources, organisations and buildings (community staff)",
           responses=problems(WRITE))
    async def update_project(self, request: Request, tx: asyncpg.Connection, principal: Principal, project_id: str,
                             data: ProjectUpdate) -> Response[Project]:
        def precondition(current: domain.Project) -> None:
            check_if_match(request, project_view(current))

        now = await business_clock(request).now(tx)
        project = await lists_projects.update(tx, principal, known_id("project", project_id),
                                              command_of(data, lists_projects.ChangeProject), precondition, now,
                                              services_of(request).content)
        return resource_response(request, project_view(project))

    @post("/projects/{project_id:str}/transitions", operation_id="transitionProject",
          summary="Start or complete a project (community staff); completing meets its needs",
          responses=problems(WRITE), status_code=200)
    async def transition_project(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                 project_id: str, data: ProjectTransition) -> Response[Project]:
        def precondition(current: domain.Project) -> None:
            check_if_match(request, project_view(current))

        now = await business_clock(request).now(tx)
        project = await lists_projects.transition(tx, principal, known_id("project", project_id),
                                                  command_of(data, lists_projects.MoveProject), precondition, now)
        return resource_response(request, project_view(project))

    @post("/projects/{project_id:str}/tasks", operation_id="createProjectTasks",
          summary="Make the project's work: one task per building it concerns (source project)",
          responses=problems(WRITE))
    async def create_tasks(self, tx: asyncpg.Connection, principal: Principal, project_id: str,
                           data: ProjectTasksCreate) -> Response[ProjectTasks]:
        made = await lists_projects.make_tasks(tx, principal, known_id("project", project_id),
                                               command_of(data, lists_projects.ProjectTasks))
        return Response(ProjectTasks(project_id=project_id, count=len(made), task_ids=[t.id for t in made]),
                        status_code=201)
