"""Rewards (兑换) of a community's or the street's catalogue, and their redemptions as
two-phase holds on the points ledger: redeeming takes one unit of stock and holds the cost
(pending); fulfilment with the pickup code posts the hold; cancellation, and expiry after
``hold_days`` (usecases/rewards_jobs.py), void it and return the unit. Who may do what is the
policy's (domain/permissions.py); the moves are domain/rewards.py's."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import rewards as rules
from domain.errors import Conflict, NotFound, RuleViolation
from domain.ids import new_id
from domain.permissions import (
    Actor,
    Place,
    Principal,
    ensure_for,
    may_hand_out_reward,
    may_manage_catalogue,
    may_see_catalogue,
)
from domain.rewards import Redemption, Reward, place_of_reward
from store import rewards as store
from store.paging import Keyset
from usecases import organizations, places, points
from usecases.actors import actor_for
from usecases.kernel import changes_of, person_of, record_event, schedule_job, visible_or_404
from usecases.rewards_jobs import EXPIRE_JOB, HoldEnds, settle


class NewReward(msgspec.Struct, kw_only=True):
    name: str
    description: str = ""
    cost_points: int
    stock: int
    limit_per_person: int | None = None
    provider_organization_id: str | None = None
    hold_days: int = 14
    active: bool = True


class ChangeReward(msgspec.Struct, kw_only=True):
    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    cost_points: int | UnsetType = UNSET
    stock: int | UnsetType = UNSET
    limit_per_person: int | None | UnsetType = UNSET
    provider_organization_id: str | None | UnsetType = UNSET
    hold_days: int | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class MoveRedemption(msgspec.Struct, kw_only=True):
    to: str  # fulfilled | cancelled
    pickup_code: str | None = None


# Catalogues

async def _catalogue_place(conn: asyncpg.Connection, actor: Actor, community_id: str | None) -> Place:
    if community_id is None:
        return Place(actor.principal.street_id)
    community = await places.visible_community(conn, actor, community_id)
    return Place(community.street_id, community_id=community.id)


async def list_rewards(conn: asyncpg.Connection, who: Principal, community_id: str | None,
                       keyset: Keyset) -> list[Reward]:
    """Residents see the active rewards; those who manage the catalogue see all."""
    actor = await actor_for(conn, who)
    place = await _catalogue_place(conn, actor, community_id)
    if not may_see_catalogue(actor, place):
        raise NotFound("not_found")
    return await store.page(conn, who.street_id, community_id, keyset,
                            active_only=not may_manage_catalogue(actor, place))


async def create(conn: asyncpg.Connection, who: Principal, community_id: str | None, command: NewReward) -> Reward:
    actor = await actor_for(conn, who)
    place = await _catalogue_place(conn, actor, community_id)
    ensure_for(actor, may_manage_catalogue(actor, place))
    await _check_provider(conn, who.street_id, command.provider_organization_id)
    reward = await store.insert(conn, who.street_id, community_id, msgspec.structs.asdict(command))
    await record_event(conn, "reward.created", "reward", reward, {"cost_points": reward.cost_points,
                                                                  "stock": reward.stock})
    return reward


async def visible_reward(conn: asyncpg.Connection, actor: Actor, reward_id: str, *, lock: bool = False) -> Reward:
    reward = await store.get(conn, actor.principal.street_id, reward_id, lock=lock)
    return visible_or_404(reward, lambda r: may_see_catalogue(actor, place_of_reward(r)) and (
        r.active or may_manage_catalogue(actor, place_of_reward(r))))


async def get(conn: asyncpg.Connection, who: Principal, reward_id: str) -> Reward:
    return await visible_reward(conn, await actor_for(conn, who), reward_id)


async def update(conn: asyncpg.Connection, who: Principal, reward_id: str, command: ChangeReward,
                 precondition: Callable[[Reward], None]) -> Reward:
    actor = await actor_for(conn, who)
    reward = await visible_reward(conn, actor, reward_id, lock=True)
    ensure_for(actor, may_manage_catalogue(actor, place_of_reward(reward)))
    precondition(reward)
    changes = changes_of(command)
    if not changes:
        return reward
    if "provider_organization_id" in changes:
        await _check_provider(conn, who.street_id, changes["provider_organization_id"])
    updated = await store.update(conn, reward.id, changes)
    await record_event(conn, "reward.updated", "reward", updated, {"changed": sorted(changes)})
    return updated


async def _check_provider(conn: asyncpg.Connection, street_id: str, organization_id: str | None) -> None:
    if organization_id is not None and await organizations.find(conn, street_id, organization_id) is None:
        raise RuleViolation("invalid_provider")


# Redemptions

def pickup_code() -> str:
    return "".join(secrets.choice(rules.PICKUP_ALPHABET) for _ in range(rules.PICKUP_LENGTH))


async def redeem(conn: asyncpg.Connection, who: Principal, reward_id: str, now: datetime) -> Redemption:
    """Take a unit (409 ``out_of_stock``), then, under the reward's row lock, check the
    person's limit (422) and hold the cost (422 ``insufficient_points``)."""
    actor = await actor_for(conn, who)
    person = person_of(actor)
    reward = await visible_reward(conn, actor, reward_id)
    if not reward.active:
        raise Conflict("reward_inactive")
    if not await store.take_unit(conn, reward.id):
        raise Conflict("out_of_stock")
    rules.check_limit(await store.redeemed_by(conn, reward.id, person), reward.limit_per_person)
    redemption_id = new_id("redemption")
    hold = await points.debit(conn, street_id=reward.street_id, person_id=person, amount=reward.cost_points,
                              reason="redemption", source=("redemption", redemption_id), at=now, pending=True)
    assert hold is not None
    expires = now + timedelta(days=reward.hold_days)
    redemption = await store.insert_redemption(conn, reward, person_id=person, transfer_id=hold.id,
                                               pickup_code=pickup_code(), expires_at=expires, at=now,
                                               redemption_id=redemption_id)
    await schedule_job(conn, EXPIRE_JOB, expires, HoldEnds(redemption_id=redemption.id),
                       street_id=reward.street_id, dedupe_key=f"{EXPIRE_JOB}:{redemption.id}")
    await record_event(conn, "redemption.created", "redemption", redemption, {
        "reward_id": reward.id, "person_id": person, "cost_points": reward.cost_points,
        "expires_at": expires.isoformat()})
    return redemption


async def transition(conn: asyncpg.Connection, who: Principal, redemption_id: str, command: MoveRedemption,
                     now: datetime) -> Redemption:
    actor = await actor_for(conn, who)
    redemption = await store.get_redemption(conn, who.street_id, redemption_id, lock=True)
    if redemption is None:
        raise NotFound("not_found")
    reward = await store.get(conn, who.street_id, redemption.reward_id)
    assert reward is not None
    hands_out = may_hand_out_reward(actor, place_of_reward(reward), reward.provider_organization_id)
    leader = may_hand_out_reward(actor, place_of_reward(reward), None)  # the catalogue's leaders, not the provider
    owner = actor.person_id == redemption.person_id
    if not (owner or hands_out):
        raise NotFound("not_found")
    rules.check_move(redemption, command.to, is_owner=owner, is_leader=leader, may_fulfil=hands_out,
                     pickup_code=command.pickup_code, now=now)
    return await settle(conn, redemption, command.to, now, by=actor)


async def cancel_all_of(conn: asyncpg.Connection, person_id: str, now: datetime) -> None:
    """Erasure: the person's pending redemptions are cancelled (holds voided, units back)."""
    for redemption in await store.pending_of_person(conn, person_id):
        await settle(conn, redemption, rules.CANCELLED, now, by=None)


async def mine(conn: asyncpg.Connection, who: Principal, keyset: Keyset) -> list[Redemption]:
    actor = await actor_for(conn, who)
    return await store.page_of_person(conn, who.street_id, person_of(actor), keyset)
