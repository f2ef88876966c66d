"""Rewards (兑换) of a community's and the street's catalogue, redemptions and their moves,
my redemptions."""

from __future__ import annotations

import asyncpg
from litestar import Controller, Request, Response, get, patch, post

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.schemas.rewards import (
    Redemption,
    RedemptionTransition,
    Reward,
    RewardCreate,
    RewardUpdate,
    redemption_view,
    reward_view,
)
from domain import rewards as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import rewards


class RewardController(Controller):
    path = "/v1"
    tags = ["rewards"]
    security = BEARER

    @get("/communities/{community_id:str}/rewards", operation_id="listCommunityRewards",
         summary="The community's rewards", responses=problems(READ))
    async def list_community(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                             community_id: str) -> Page[Reward]:
        found = await rewards.list_rewards(conn, principal, known_id("community", community_id), keyset)
        return page_of(found, keyset, reward_view)

    @post("/communities/{community_id:str}/rewards", operation_id="createCommunityReward",
          summary="Add a reward to the community's catalogue (community staff and above)",
          responses=problems(WRITE))
    async def create_community(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                               community_id: str, data: RewardCreate) -> Response[Reward]:
        reward = await rewards.create(tx, principal, known_id("community", community_id),
                                      command_of(data, rewards.NewReward))
        return resource_response(request, reward_view(reward), 201, headers={"Location": f"/v1/rewards/{reward.id}"})

    @get("/streets/rewards", operation_id="listStreetRewards", summary="The street's rewards",
         responses=problems(READ))
    async def list_street(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset) -> Page[Reward]:
        return page_of(await rewards.list_rewards(conn, principal, None, keyset), keyset, reward_view)

    @post("/streets/rewards", operation_id="createStreetReward",
          summary="Add a reward to the street's catalogue (street officers; platform: street:write)",
          responses=problems(WRITE))
    async def create_street(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                            data: RewardCreate) -> Response[Reward]:
        reward = await rewards.create(tx, principal, None, command_of(data, rewards.NewReward))
        return resource_response(request, reward_view(reward), 201, headers={"Location": f"/v1/rewards/{reward.id}"})

    @get("/rewards/{reward_id:str}", operation_id="getReward", summary="Read a reward", responses=problems(READ))
    async def get_reward(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                         reward_id: str) -> Response[Reward]:
        return resource_response(request, reward_view(await rewards.get(conn, principal, known_id("reward", reward_id))))

    @patch("/rewards/{reward_id:str}", operation_id="updateReward",
           summary="Change a reward (who manages its catalogue)", responses=problems(WRITE))
    async def update_reward(self, request: Request, tx: asyncpg.Connection, principal: Principal, reward_id: str,
                            data: RewardUpdate) -> Response[Reward]:
        def precondition(current: domain.Reward) -> None:
            check_if_match(request, reward_view(current))

        reward = await rewards.update(tx, principal, known_id("reward", reward_id),
                                      command_of(data, rewards.ChangeReward), precondition)
        return resource_response(request, reward_view(reward))

    @post("/rewards/{reward_id:str}/redemptions", operation_id="redeemReward",
          summary="Redeem a reward: holds its points and one unit until picked up", responses=problems(WRITE))
    async def redeem(self, request: Request, tx: asyncpg.Connection, principal: Principal,
                     reward_id: str) -> Response[Redemption]:
        now = await business_clock(request).now(tx)
        redemption = await rewards.redeem(tx, principal, known_id("reward", reward_id), now)
        return resource_response(request, redemption_view(redemption, principal.person_id), 201)

    @post("/redemptions/{redemption_id:str}/transitions", operation_id="transitionRedemption",
          summary="Fulfil a redemption with its pickup code (the provider or a leader), or cancel it",
          responses=problems(WRITE), status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal, redemption_id: str,
                         data: RedemptionTransition) -> Response[Redemption]:
        now = await business_clock(request).now(tx)
        moved = await rewards.transition(tx, principal, known_id("redemption", redemption_id),
                                         command_of(data, rewards.MoveRedemption), now)
        return resource_response(request, redemption_view(moved, principal.person_id))

    @get("/me/redemptions", operation_id="listMyRedemptions", summary="My redemptions, newest first",
         responses=problems(READ))
    async def mine(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset) -> Page[Redemption]:
        found = await rewards.mine(conn, principal, keyset)
        return page_of(found, keyset, lambda r: redemption_view(r, principal.person_id))
