"""Activities (月月有活动) of buildings and communities, their moves, sign-ups with a waiting
list, attendance by the organiser or by check-in token, and my activities."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.activities import (
    Activity,
    ActivityCreate,
    ActivityTransition,
    ActivityUpdate,
    AttendanceCreate,
    CheckinCreate,
    CheckinToken,
    MONTH_PATTERN,
    MyActivity,
    Signup,
    SignupCreate,
    SignupStatus,
    activity_view,
    my_activity_view,
    signup_view,
)
from api.schemas.common import command_of
from api.services import services_of
from domain import activities as domain
from domain.clock import real_now
from domain.permissions import Principal
from store.paging import Keyset
from usecases import activities, activity_signups

MonthQuery = Annotated[str | None, Parameter(query="month", pattern=MONTH_PATTERN, examples=None,
                                              description="YYYY-MM: activities starting in this month "
                                                          "(the street's time zone)")]
StatusQuery = Annotated[SignupStatus | None, Parameter(query="status")]
CHECKIN_KEY = b"activity-checkin"


def _key(request: Request) -> bytes:
    return services_of(request).sealer.derived_key(CHECKIN_KEY)


class ActivityController(Controller):
    path = "/v1"
    tags = ["activities"]
    security = BEARER

    @get("/buildings/{building_id:str}/activities", operation_id="listBuildingActivities",
         summary="The building's activities, newest first", responses=problems(READ))
    async def list_building(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, building_id: str,
                            month: MonthQuery = None) -> Page[Activity]:
        found = await activities.list_activities(conn, principal, keyset, month=month,
                                                 building_id=known_id("building", building_id))
        return page_of(found, keyset, activity_view)

    @post("/buildings/{building_id:str}/activities", operation_id="createBuildingActivity",
          summary="Plan an activity of the building (its leaders): a draft", responses=problems(WRITE))
    async def create_building(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              building_id: str, data: ActivityCreate) -> Response[Activity]:
        activity = await activities.create(tx, principal, command_of(data, activities.NewActivity),
                                           building_id=known_id("building", building_id),
                                           checker=services_of(request).content)
        return resource_response(request, activity_view(activity), 201,
                                 headers={"Location": f"/v1/activities/{activity.id}"})

    @get("/communities/{community_id:str}/activities", operation_id="listCommunityActivities",
         summary="The community's own activities, newest first", responses=problems(READ))
    async def list_community(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                             community_id: str, month: MonthQuery = None) -> Page[Activity]:
        found = await activities.list_activities(conn, principal, keyset, month=month,
                                                 community_id=known_id("community", community_id))
        return page_of(found, keyset, activity_view)

    @post("/communities/{community_id:str}/activities", operation_id="createCommunityActivity",
          summary="Plan an activity of the community (its staff and above): a draft", responses=problems(WRITE))
    async def create_community(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                               community_id: str, data: ActivityCreate) -> Response[Activity]:
        activity = await activities.create(tx, principal, command_of(data, activities.NewActivity),
                                           community_id=known_id("community", community_id),
                                           checker=services_of(request).content)
        return resource_response(request, activity_view(activity), 201,
                                 headers={"Location": f"/v1/activities/{activity.id}"})

    @get("/activities/{activity_id:str}", operation_id="getActivity", summary="Read an activity",
         responses=problems(READ))
    async def get_activity(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                           activity_id: str) -> Response[Activity]:
        found = await activities.get(conn, principal, known_id("activity", activity_id))
        return resource_response(request, activity_view(found))

    @patch("/activities/{activity_id:str}", operation_id="updateActivity",
           summary="Change a draft or published activity (its organiser); its booking moves with it",
           responses=problems(WRITE))
    async def update_activity(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              activity_id: str, data: ActivityUpdate) -> Response[Activity]:
        def precondition(current: domain.Activity) -> None:
            check_if_match(request, activity_view(current))

        now = await business_clock(request).now(tx)
        updated = await activities.update(tx, principal, known_id("activity", activity_id),
                                          command_of(data, activities.ChangeActivity), precondition, now,
                                          services_of(request).content)
        return resource_response(request, activity_view(updated))

    @post("/activities/{activity_id:str}/transitions", operation_id="transitionActivity",
          summary="Publish an activity (booking its space), or cancel it with a reason", responses=problems(WRITE),
          status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal, activity_id: str,
                         data: ActivityTransition) -> Response[Activity]:
        def precondition(current: domain.Activity) -> None:
            check_if_match(request, activity_view(current))

        now = await business_clock(request).now(tx)
        moved = await activities.transition(tx, principal, known_id("activity", activity_id),
                                            command_of(data, activities.MoveActivity), precondition, now)
        return resource_response(request, activity_view(moved))

    @post("/activities/{activity_id:str}/signups", operation_id="signUpForActivity",
          summary="Sign up (with up to 4 companions): confirmed while seats last, else waitlisted",
          responses=problems(WRITE))
    async def sign_up(self, request: Request, tx: asyncpg.Connection, principal: Principal, activity_id: str,
                      data: SignupCreate) -> Response[Signup]:
        now = await business_clock(request).now(tx)
        signup = await activity_signups.sign_up(tx, principal, known_id("activity", activity_id),
                                                command_of(data, activity_signups.NewSignup), now)
        return resource_response(request, signup_view(signup), 201)

    @delete("/activities/{activity_id:str}/signups/mine", operation_id="cancelMySignup",
            summary="Cancel my sign-up (until cancel_before_minutes before the start)", responses=problems(WRITE),
            status_code=200)
    async def cancel_mine(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                          activity_id: str) -> Response[Signup]:
        now = await business_clock(request).now(tx)
        signup = await activity_signups.cancel_mine(tx, principal, known_id("activity", activity_id), now)
        return resource_response(request, signup_view(signup))

    @get("/activities/{activity_id:str}/signups", operation_id="listActivitySignups",
         summary="The activity's sign-ups, newest first (its organiser and leaders)", responses=problems(READ))
    async def list_signups(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, activity_id: str,
                           status: StatusQuery = None) -> Page[Signup]:
        found = await activity_signups.list_signups(conn, principal, known_id("activity", activity_id), keyset,
                                                    status)
        return page_of(found, keyset, signup_view)

    @post("/activities/{activity_id:str}/attendances", operation_id="recordAttendance",
          summary="Check a participant in (the organiser): credits the activity's points once",
          responses=problems(WRITE), status_code=200)
    async def attend(self, request: Request, tx: asyncpg.Connection, principal: Principal, activity_id: str,
                     data: AttendanceCreate) -> Response[Signup]:
        now = await business_clock(request).now(tx)
        signup = await activity_signups.record_attendance(
            tx, principal, known_id("activity", activity_id), command_of(data, activity_signups.NewAttendance), now)
        return resource_response(request, signup_view(signup))

    @post("/activities/{activity_id:str}/checkins", operation_id="checkInToActivity",
          summary="Check myself in with the token on the organiser's screen", responses=problems(WRITE),
          status_code=200)
    async def check_in(self, request: Request, tx: asyncpg.Connection, principal: Principal, activity_id: str,
                       data: CheckinCreate) -> Response[Signup]:
        now = await business_clock(request).now(tx)
        signup = await activity_signups.check_in(
            tx, principal, known_id("activity", activity_id), command_of(data, activity_signups.NewCheckin), now,
            real_now(), _key(request))
        return resource_response(request, signup_view(signup))

    @get("/activities/{activity_id:str}/checkin-token", operation_id="getActivityCheckinToken",
         summary="The organiser's current check-in token (rotates every 60 s)", responses=problems(READ))
    async def checkin_token(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                            activity_id: str) -> Response[CheckinToken]:
        token, rotates = await activity_signups.checkin_token(conn, principal, known_id("activity", activity_id),
                                                              real_now(), _key(request))
        return Response(CheckinToken(token=token, rotates_at=rotates), headers={"Cache-Control": "no-store"})

    @get("/me/activities", operation_id="listMyActivities", summary="My sign-ups and their activities, newest first",
         responses=problems(READ))
    async def mine(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset) -> Page[MyActivity]:
        return page_of(await activity_signups.mine(conn, principal, keyset), keyset, my_activity_view)
