"""最美楼栋 rating campaigns: a community's and the street's, nominations, self-assessments
and their rectification tasks, raters, a rater's own score sheets, and the published results."""

from __future__ import annotations

import asyncpg
from litestar import Controller, Request, Response, delete, get, patch, post, put

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.routes.media import media_link
from api.schemas.campaigns import (
    Assessment,
    AssessmentPut,
    Campaign,
    CampaignCreate,
    CampaignUpdate,
    Nomination,
    NominationCreate,
    Rater,
    RaterCreate,
    RectificationCreate,
    Results,
    ScoreSheet,
    ScoresPut,
    assessment_view,
    campaign_view,
    nomination_view,
    rater_view,
    results_view,
    sheet_view,
)
from api.schemas.common import command_of
from api.schemas.tasks import Task, task_view
from domain import campaigns as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import campaign_ratings, campaigns


class CampaignController(Controller):
    path = "/v1"
    tags = ["campaigns"]
    security = BEARER

    @get("/communities/{community_id:str}/campaigns", operation_id="listCommunityCampaigns",
         summary="The community's 最美楼栋 campaigns, newest first", responses=problems(READ))
    async def list_community(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                             community_id: str) -> Page[Campaign]:
        found = await campaigns.list_campaigns(conn, principal, known_id("community", community_id), keyset)
        return page_of(found, keyset, campaign_view)

    @post("/communities/{community_id:str}/campaigns", operation_id="createCommunityCampaign",
          summary="Start a 最美楼栋 campaign of the community (community staff and above)",
          responses=problems(WRITE))
    async def create_community(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                               community_id: str, data: CampaignCreate) -> Response[Campaign]:
        now = await business_clock(request).now(tx)
        campaign = await campaigns.create(tx, principal, known_id("community", community_id),
                                          command_of(data, campaigns.NewCampaign), now)
        return resource_response(request, campaign_view(campaign), 201,
                                 headers={"Location": f"/v1/campaigns/{campaign.id}"})

    @get("/streets/campaigns", operation_id="listStreetCampaigns",
         summary="The street's own 最美楼栋 campaigns, newest first", responses=problems(READ))
    async def list_street(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset) -> Page[Campaign]:
        return page_of(await campaigns.list_campaigns(conn, principal, None, keyset), keyset, campaign_view)

    @post("/streets/campaigns", operation_id="createStreetCampaign",
          summary="Start a 最美楼栋 campaign of the whole street (street officers; platform: street:write)",
          responses=problems(WRITE))
    async def create_street(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            data: CampaignCreate) -> Response[Campaign]:
        now = await business_clock(request).now(tx)
        campaign = await campaigns.create(tx, principal, None, command_of(data, campaigns.NewCampaign), now)
        return resource_response(request, campaign_view(campaign), 201,
                                 headers={"Location": f"/v1/campaigns/{campaign.id}"})

    @get("/campaigns/{campaign_id:str}", operation_id="getCampaign", summary="Read a campaign",
         responses=problems(READ))
    async def get_campaign(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                           campaign_id: str) -> Response[Campaign]:
        found = await campaigns.get(conn, principal, known_id("campaign", campaign_id))
        return resource_response(request, campaign_view(found))

    @patch("/campaigns/{campaign_id:str}", operation_id="updateCampaign",
           summary="Change a campaign (its managers, until published)", responses=problems(WRITE))
    async def update_campaign(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                              campaign_id: str, data: CampaignUpdate) -> Response[Campaign]:
        def precondition(current: domain.Campaign) -> None:
            check_if_match(request, campaign_view(current))

        now = await business_clock(request).now(tx)
        found = await campaigns.update(tx, principal, known_id("campaign", campaign_id),
                                       command_of(data, campaigns.ChangeCampaign), precondition, now)
        return resource_response(request, campaign_view(found))

    @post("/campaigns/{campaign_id:str}/nominations", operation_id="nominateBuilding",
          summary="Nominate a building (its leader, while nominating)", responses=problems(WRITE))
    async def nominate(self, request: Request, tx: asyncpg.Connection, principal: Principal, campaign_id: str,
                       data: NominationCreate) -> Response[Nomination]:
        now = await business_clock(request).now(tx)
        found = await campaigns.nominate(tx, principal, known_id("campaign", campaign_id), data.building_id, now)
        return resource_response(request, nomination_view(found), 201)

    @get("/campaigns/{campaign_id:str}/nominations", operation_id="listCampaignNominations",
         summary="The nominated buildings, newest first", responses=problems(READ))
    async def nominations(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                          campaign_id: str) -> Page[Nomination]:
        found = await campaigns.nominations(conn, principal, known_id("campaign", campaign_id), keyset)
        return page_of(found, keyset, nomination_view)

    @get("/campaigns/{campaign_id:str}/nominations/{building_id:str}/assessment",
         operation_id="getCampaignAssessment", summary="A nominee's self-assessment", responses=problems(READ))
    async def get_assessment(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                             campaign_id: str, building_id: str) -> Response[Assessment]:
        found = await campaigns.assessment(conn, principal, known_id("campaign", campaign_id),
                                           known_id("building", building_id))
        return resource_response(request, assessment_view(found, media_link(request)))

    @put("/campaigns/{campaign_id:str}/nominations/{building_id:str}/assessment",
         operation_id="putCampaignAssessment",
         summary="Record the building's self-assessment (its leader, while assessing)", responses=problems(WRITE))
    async def put_assessment(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                             campaign_id: str, building_id: str, data: AssessmentPut) -> Response[Assessment]:
        now = await business_clock(request).now(tx)
        found = await campaigns.put_assessment(tx, principal, known_id("campaign", campaign_id),
                                               known_id("building", building_id),
                                               command_of(data, campaigns.PutAssessment), now)
        return resource_response(request, assessment_view(found, media_link(request)))

    @post("/campaigns/{campaign_id:str}/nominations/{building_id:str}/issues/{issue_id:str}/task",
          operation_id="createCampaignRectificationTask",
          summary="Turn a self-assessment issue into a rectification task (source campaign)",
          responses=problems(WRITE))
    async def rectify(self, request: Request, tx: asyncpg.Connection, principal: Principal, campaign_id: str,
                      building_id: str, issue_id: str, data: RectificationCreate) -> Response[Task]:
        task = await campaigns.rectify(tx, principal, known_id("campaign", campaign_id),
                                       known_id("building", building_id), known_id("campaign_issue", issue_id),
                                       command_of(data, campaigns.RectificationTask))
        return resource_response(request, task_view(task), 201, headers={"Location": f"/v1/tasks/{task.id}"})

    @post("/campaigns/{campaign_id:str}/raters", operation_id="addCampaignRater",
          summary="Name a rater: staff, a partner organisation's member or a resident representative",
          responses=problems(WRITE))
    async def add_rater(self, request: Request, tx: asyncpg.Connection, principal: Principal, campaign_id: str,
                        data: RaterCreate) -> Response[Rater]:
        rater = await campaign_ratings.add_rater(tx, principal, known_id("campaign", campaign_id),
                                                 command_of(data, campaign_ratings.NewRater))
        return resource_response(request, rater_view(rater), 201)

    @delete("/campaigns/{campaign_id:str}/raters/{person_id:str}", operation_id="removeCampaignRater",
            summary="Remove a rater and their score sheets (the campaign's managers, until published)",
            responses=problems(WRITE), status_code=204)
    async def remove_rater(self, tx: asyncpg.Connection, principal: Principal, campaign_id: str,
                           person_id: str) -> None:
        await campaign_ratings.remove_rater(tx, principal, known_id("campaign", campaign_id),
                                            known_id("person", person_id))

    @get("/campaigns/{campaign_id:str}/raters", operation_id="listCampaignRaters",
         summary="The campaign's raters (its managers; never what anyone gave)", responses=problems(READ))
    async def raters(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                     campaign_id: str) -> Page[Rater]:
        found = await campaign_ratings.raters(conn, principal, known_id("campaign", campaign_id), keyset)
        return page_of(found, keyset, rater_view)

    @put("/campaigns/{campaign_id:str}/scores/{building_id:str}", operation_id="putCampaignScores",
         summary="Score a nominated building 1–10 per criterion (a rater, while rating)", responses=problems(WRITE))
    async def put_scores(self, request: Request, tx: asyncpg.Connection, principal: Principal, campaign_id: str,
                         building_id: str, data: ScoresPut) -> Response[ScoreSheet]:
        now = await business_clock(request).now(tx)
        sheet, _ = await campaign_ratings.score(tx, principal, known_id("campaign", campaign_id),
                                                known_id("building", building_id),
                                                command_of(data, campaign_ratings.PutScores), now)
        return resource_response(request, sheet_view(sheet))

    @get("/campaigns/{campaign_id:str}/scores/{building_id:str}", operation_id="getMyCampaignScores",
         summary="My own score sheet for a building (raters only)", responses=problems(READ))
    async def my_score(self, request: Request, conn: asyncpg.Connection, principal: Principal, campaign_id: str,
                       building_id: str) -> Response[ScoreSheet]:
        sheet = await campaign_ratings.my_score(conn, principal, known_id("campaign", campaign_id),
                                                known_id("building", building_id))
        return resource_response(request, sheet_view(sheet))

    @get("/campaigns/{campaign_id:str}/scores", operation_id="listMyCampaignScores",
         summary="My own score sheets, newest first (raters only)", responses=problems(READ))
    async def my_scores(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                        campaign_id: str) -> Page[ScoreSheet]:
        found = await campaign_ratings.my_scores(conn, principal, known_id("campaign", campaign_id), keyset)
        return page_of(found, keyset, sheet_view)

    @get("/campaigns/{campaign_id:str}/results", operation_id="getCampaignResults",
         summary="The published results: scores, means, rater counts, ranks, winners",
         responses=problems((*READ, 409)))
    async def results(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                      campaign_id: str) -> Response[Results]:
        found = await campaign_ratings.results(conn, principal, known_id("campaign", campaign_id))
        return resource_response(request, results_view(found.campaign, found.buildings))
