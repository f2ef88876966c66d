"""Announcements (看) of a building, a community and the street; acknowledgements (我已知晓)
and the leaders' follow-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, patch, post, put
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.announcements import (
    Acknowledgement,
    AcknowledgementPut,
    Acknowledgements,
    Announcement,
    AnnouncementCreate,
    AnnouncementStatus,
    AnnouncementTransition,
    AnnouncementUpdate,
    acknowledgement_view,
    acknowledgements_view,
    announcement_view,
)
from api.schemas.common import command_of, id_text
from api.services import services_of
from domain import announcements as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import announcement_acknowledgements as acknowledgements
from usecases import announcements

BuildingRef = id_text("bld_5t7v9x2b4d6f8h1k")
StatusFilter = Annotated[AnnouncementStatus | None, Parameter(query="status")]


async def _page(conn: asyncpg.Connection, principal: Principal, found: Sequence[domain.Announcement],
                keyset: Keyset) -> Page[Announcement]:
    mine = await acknowledgements.acknowledged_by(conn, principal, [a.id for a in found])
    return page_of(found, keyset, lambda a: announcement_view(a, a.id in mine))


async def _one(request: Request, conn: asyncpg.Connection, principal: Principal, found: domain.Announcement,
               status_code: int = 200, headers: dict[str, str] | None = None) -> Response[Announcement]:
    mine = await acknowledgements.acknowledged_by(conn, principal, [found.id])
    return resource_response(request, announcement_view(found, found.id in mine), status_code, headers)


class AnnouncementController(Controller):
    path = "/v1"
    tags = ["announcements"]
    security = BEARER

    @get("/buildings/{building_id:str}/announcements", operation_id="listBuildingAnnouncements",
         summary="The announcements a building's residents see: the building's, its community's and the street's",
         responses=problems(READ))
    async def list_building(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                            building_id: str, status: StatusFilter = None) -> Page[Announcement]:
        """Pinned ones first, then newest first (with `updated_since`: oldest change first)."""
        found = await announcements.list_for(conn, principal, "building", known_id("building", building_id),
                                             keyset, status=status)
        return await _page(conn, principal, found, keyset)

    @post("/buildings/{building_id:str}/announcements", operation_id="createBuildingAnnouncement",
          summary="Post an announcement to a building (its leaders and above)", responses=problems(WRITE))
    async def create_building(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              building_id: str, data: AnnouncementCreate) -> Response[Announcement]:
        return await self._create(request, tx, principal, "building", known_id("building", building_id), data)

    @get("/communities/{community_id:str}/announcements", operation_id="listCommunityAnnouncements",
         summary="A community's announcements and the street's", responses=problems(READ))
    async def list_community(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                             community_id: str, status: StatusFilter = None) -> Page[Announcement]:
        """Pinned ones first, then newest first (with `updated_since`: oldest change first)."""
        found = await announcements.list_for(conn, principal, "community", known_id("community", community_id),
                                             keyset, status=status)
        return await _page(conn, principal, found, keyset)

    @post("/communities/{community_id:str}/announcements", operation_id="createCommunityAnnouncement",
          summary="Post an announcement to a community (its staff and above)", responses=problems(WRITE))
    async def create_community(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                               community_id: str, data: AnnouncementCreate) -> Response[Announcement]:
        return await self._create(request, tx, principal, "community", known_id("community", community_id), data)

    @get("/streets/announcements", operation_id="listStreetAnnouncements", summary="The street's announcements",
         responses=problems(READ))
    async def list_street(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                          status: StatusFilter = None) -> Page[Announcement]:
        """Pinned ones first, then newest first (with `updated_since`: oldest change first)."""
        found = await announcements.list_for(conn, principal, "street", None, keyset, status=status)
        return await _page(conn, principal, found, keyset)

    @post("/streets/announcements", operation_id="createStreetAnnouncement",
          summary="Post an announcement to the whole street (street officers; platform: street:write)",
          responses=problems(WRITE))
    async def create_street(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            data: AnnouncementCreate) -> Response[Announcement]:
        return await self._create(request, tx, principal, "street", None, data)

    async def _create(self, request: Request, tx: asyncpg.Connection, principal: Principal, scope: str,
                      place_id: str | None, data: AnnouncementCreate) -> Response[Announcement]:
        now = await business_clock(request).now(tx)
        found = await announcements.create(tx, principal, scope, place_id,
                                           command_of(data, announcements.NewAnnouncement), now,
                                           services_of(request).content)
        return await _one(request, tx, principal, found, 201, {"Location": f"/v1/announcements/{found.id}"})

    @get("/announcements/{announcement_id:str}", operation_id="getAnnouncement", summary="Read an announcement",
         responses=problems(READ))
    async def get_announcement(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                               announcement_id: str) -> Response[Announcement]:
        found = await announcements.get(conn, principal, known_id("announcement", announcement_id))
        return await _one(request, conn, principal, found)

    @patch("/announcements/{announcement_id:str}", operation_id="updateAnnouncement",
           summary="Change an announcement (its author or a leader of its scope)", responses=problems(WRITE))
    async def update_announcement(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                                  announcement_id: str, data: AnnouncementUpdate) -> Response[Announcement]:
        """`publish_at` and `requires_acknowledgement` change only while it is scheduled."""
        mine = await acknowledgements.acknowledged_by(tx, principal, [announcement_id])

        def precondition(current: domain.Announcement) -> None:
            check_if_match(request, announcement_view(current, current.id in mine))

        now = await business_clock(request).now(tx)
        found = await announcements.update(tx, principal, known_id("announcement", announcement_id),
                                           command_of(data, announcements.ChangeAnnouncement), precondition, now,
                                           services_of(request).content)
        return await _one(request, tx, principal, found)

    @post("/announcements/{announcement_id:str}/transitions", operation_id="transitionAnnouncement",
          summary="Withdraw an announcement (its author or a leader of its scope)", responses=problems(WRITE),
          status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                         announcement_id: str, data: AnnouncementTransition) -> Response[Announcement]:
        mine = await acknowledgements.acknowledged_by(tx, principal, [announcement_id])

        def precondition(current: domain.Announcement) -> None:
            check_if_match(request, announcement_view(current, current.id in mine))

        now = await business_clock(request).now(tx)
        found = await announcements.transition(tx, principal, known_id("announcement", announcement_id),
                                               command_of(data, announcements.MoveAnnouncement), precondition, now)
        return await _one(request, tx, principal, found)

    @put("/announcements/{announcement_id:str}/acknowledgement", operation_id="acknowledgeAnnouncement",
         summary="我已知晓: my household acknowledges the announcement (once; again changes nothing)",
         responses=problems(WRITE))
    async def acknowledge(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                          announcement_id: str, data: AcknowledgementPut) -> Response[Acknowledgement]:
        """`household_id` names the household when the person has several in its scope."""
        now = await business_clock(request).now(tx)
        found = await acknowledgements.acknowledge(tx, principal, known_id("announcement", announcement_id),
                                                   command_of(data, acknowledgements.Acknowledge), now)
        return resource_response(request, acknowledgement_view(found))

    @get("/announcements/{announcement_id:str}/acknowledgements", operation_id="getAnnouncementAcknowledgements",
         summary="Acknowledgements per building and the units not yet acknowledged (leaders)",
         responses=problems(READ))
    async def follow_up(
        self, request: Request, conn: asyncpg.Connection, principal: Principal, announcement_id: str,
        building_id: Annotated[BuildingRef | None, Parameter(query="building_id")] = None,  # type: ignore[valid-type]
    ) -> Response[Acknowledgements]:
        """Of the households frozen at publishing; a building's leader sees the buildings they lead."""
        found = await acknowledgements.follow_up(conn, principal, known_id("announcement", announcement_id),
                                                 building_id)
        return resource_response(request, acknowledgements_view(found))
