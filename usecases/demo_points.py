"""Demo points and rewards in 嘉富苑 (development only), made through the same use cases the
API runs: a partner unit's reward in 嘉富社区's catalogue, awards to the leader and to a
resident, and a pending redemption by 张小华 with its pickup code. Loading is idempotent:
nothing is added once the street has a reward."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.permissions import Principal
from usecases import organizations, points, rewards


async def load_demo_points(conn: asyncpg.Connection, row: asyncpg.Record, people: dict[str, Principal],
                           now: datetime) -> bool:
    """``row``: the street, community and building of 嘉富苑 1 号楼; ``people``: the demo persons."""
    if await conn.fetchval("SELECT 1 FROM rewards WHERE street_id = $1", row["street_id"]):
        return False
    leader, resident, staff = people["wang"], people["zhang"], people["sun"]
    assert resident.person_id is not None and leader.person_id is not None
    async with conn.transaction():
        shop = await organizations.create(conn, staff, organizations.OrganizationCreate(
            name="嘉富便民超市", kind="partner_unit", community_id=row["community_id"],
            external_id="demo-partner-shop"))
        bags = await rewards.create(conn, staff, row["community_id"], rewards.NewReward(
            name="环保购物袋", description="共建单位嘉富便民超市提供，凭取件码到超市服务台领取",
            cost_points=30, stock=20, limit_per_person=2, provider_organization_id=shop.id))
        await rewards.create(conn, staff, row["community_id"], rewards.NewReward(
            name="理发券", description="社区理发志愿服务一次", cost_points=50, stock=10))
        for by, person, amount, reason, note in (
                (leader, resident, 60, "volunteer_hours", "楼道清扫志愿服务 3 小时"),
                (staff, leader, 20, "award", "组织楼组议事会")):
            await points.award(conn, by, points.Award(person_id=person.person_id or "", amount=amount,
                                                      reason=reason, note=note), now)
        await rewards.redeem(conn, resident, bags.id, now)
    return True
