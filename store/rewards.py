"""Rewards and redemptions in SQL. Stock is taken by a conditional UPDATE on the reward's row:
of any number of redemptions at once, as many succeed as there are units, and the row lock
they queue on serialises a person's limit check too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.ids import new_id
from domain.rewards import Redemption, Reward
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one, set_clause

UPDATABLE = ("name", "description", "cost_points", "stock", "limit_per_person", "provider_organization_id",
             "hold_days", "active")


async def insert(conn: asyncpg.Connection, street_id: str, community_id: str | None, values: dict[str, Any]) -> Reward:
    columns = ["id", "street_id", "community_id", *values]
    params = [new_id("reward"), street_id, community_id, *values.values()]
    placeholders = ", ".join(f"${i}" for i in range(1, len(params) + 1))
    return one(Reward, await conn.fetchrow(
        f"INSERT INTO rewards ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *", *params))


async def get(conn: asyncpg.Connection, street_id: str, reward_id: str, *, lock: bool = False) -> Reward | None:
    suffix = " FOR UPDATE" if lock else ""
    return model(Reward, await conn.fetchrow(f"SELECT * FROM rewards WHERE id = $1 AND street_id = $2{suffix}",
                                             reward_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, community_id: str | None, keyset: Keyset, *,
               active_only: bool) -> list[Reward]:
    params: list[Any] = [street_id, community_id]
    condition, order = keyset_sql(keyset, "r", params)
    active = " AND r.active" if active_only else ""
    return models(Reward, await conn.fetch(
        f"""SELECT r.* FROM rewards r WHERE r.street_id = $1 AND r.community_id IS NOT DISTINCT FROM $2{active}
             AND {condition} {order}""", *params))


async def update(conn: asyncpg.Connection, reward_id: str, changes: dict[str, Any]) -> Reward:
    params: list[Any] = [reward_id]
    assignments = set_clause(changes, UPDATABLE, params)
    return one(Reward, await conn.fetchrow(f"UPDATE rewards SET {assignments} WHERE id = $1 RETURNING *", *params))


async def take_unit(conn: asyncpg.Connection, reward_id: str) -> bool:
    """One unit of stock, if any is left (the row stays locked until the transaction ends)."""
    return await conn.fetchval(
        """UPDATE rewards SET stock = stock - 1, updated_at = clock_timestamp()
            WHERE id = $1 AND stock > 0 RETURNING id""", reward_id) is not None


async def return_unit(conn: asyncpg.Connection, reward_id: str) -> None:
    await conn.execute("UPDATE rewards SET stock = stock + 1, updated_at = clock_timestamp() WHERE id = $1",
                       reward_id)


async def redeemed_by(conn: asyncpg.Connection, reward_id: str, person_id: str) -> int:
    """Redemptions of the reward by the person that count toward its limit (pending, fulfilled)."""
    return await conn.fetchval(
        """SELECT count(*) FROM redemptions WHERE reward_id = $1 AND person_id = $2
              AND status IN ('pending', 'fulfilled')""", reward_id, person_id)


async def insert_redemption(conn: asyncpg.Connection, reward: Reward, *, person_id: str, transfer_id: str,
                            pickup_code: str, expires_at: datetime, at: datetime, redemption_id: str) -> Redemption:
    return one(Redemption, await conn.fetchrow(
        """INSERT INTO redemptions (id, street_id, community_id, reward_id, person_id, transfer_id, cost_points,
                                    pickup_code, expires_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *""",
        redemption_id, reward.street_id, reward.community_id, reward.id, person_id, transfer_id,
        reward.cost_points, pickup_code, expires_at, at))


async def get_redemption(conn: asyncpg.Connection, street_id: str, redemption_id: str, *,
                         lock: bool = False) -> Redemption | None:
    suffix = " FOR UPDATE" if lock else ""
    return model(Redemption, await conn.fetchrow(
        f"SELECT * FROM redemptions WHERE id = $1 AND street_id = $2{suffix}", redemption_id, street_id))


async def move_redemption(conn: asyncpg.Connection, redemption_id: str, to: str, at: datetime) -> Redemption:
    stamp = {"fulfilled": "fulfilled_at", "cancelled": "cancelled_at", "expired": "expired_at"}[to]
    return one(Redemption, await conn.fetchrow(
        f"""UPDATE redemptions SET status = $2, {stamp} = $3, updated_at = clock_timestamp()
             WHERE id = $1 RETURNING *""", redemption_id, to, at))


async def page_of_person(conn: asyncpg.Connection, street_id: str, person_id: str, keyset: Keyset) -> list[Redemption]:
    params: list[Any] = [street_id, person_id]
    condition, order = keyset_sql(keyset, "r", params)
    return models(Redemption, await conn.fetch(
        f"SELECT r.* FROM redemptions r WHERE r.street_id = $1 AND r.person_id = $2 AND {condition} {order}",
        *params))


async def pending_of_person(conn: asyncpg.Connection, person_id: str) -> list[Redemption]:
    return models(Redemption, await conn.fetch(
        "SELECT * FROM redemptions WHERE person_id = $1 AND status = 'pending' ORDER BY id FOR UPDATE", person_id))
