"""Demo three lists and co-building in 嘉富社区 (development only), made through the same use
cases the API runs: 嘉富便民超市 (the partner unit of usecases/demo_points.py) and the
community sign a co-building agreement (孙丽 for the community, 张小华 — the shop's member in
the demo — for the shop); 张小华 raises a need of 嘉富苑 1 号楼 and offers the shop's
volunteers; 孙丽 starts a project that matches the two, sets it going and gives it a task in
1 号楼. Loading is idempotent: nothing is added once the street has an agreement."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from domain.permissions import Principal
from usecases import agreements, lists, lists_projects, roles, tasks


async def load_demo_colists(conn: asyncpg.Connection, row: asyncpg.Record, people: dict[str, Principal],
                            now: datetime) -> bool:
    """``row``: the street, community and building of 嘉富苑 1 号楼; ``people``: the demo persons."""
    street, community, building = row["street_id"], row["community_id"], row["building_id"]
    if await conn.fetchval("SELECT 1 FROM agreements WHERE street_id = $1", street):
        return False
    shop = await conn.fetchval("SELECT id FROM organizations WHERE street_id = $1 AND external_id = 'demo-partner-shop'",
                               street)
    if shop is None:
        return False
    staff, resident = people["sun"], people["zhang"]
    assert resident.person_id is not None
    today = now.astimezone(ZoneInfo(await conn.fetchval("SELECT timezone FROM streets WHERE id = $1", street))).date()
    async with conn.transaction():
        await roles.grant(conn, staff, "organization_member", shop, resident.person_id)
        agreement = await agreements.create(conn, staff, community, agreements.NewAgreement(
            organization_id=shop, title="嘉富社区与嘉富便民超市共建协议", starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=364), commitments=[
                agreements.Commitment(party="organization", text="每周二、四为 1 号楼独居老人配送午餐"),
                agreements.Commitment(party="community", text="提供议事厅作为志愿者集合点，协调楼组长对接")]))
        await agreements.sign(conn, staff, agreement.id, agreements.Sign(side="community"), now)
        await agreements.sign(conn, resident, agreement.id, agreements.Sign(side="organization"), now)
        need = await lists.raise_need(conn, resident, community, lists.NewNeed(
            title="独居老人助餐", category="elderly_care", building_id=building,
            description="1 号楼有 6 位独居老人，做饭不便，希望每周有人送两次午餐。"))
        volunteers = await lists.offer_resource(conn, resident, community, lists.NewResource(
            organization_id=shop, kind="volunteers", capacity=4, description="超市店员志愿者，每周二、四午间送餐",
            available_from=today, available_until=today + timedelta(days=364)))
        project = await lists_projects.create(conn, staff, community, lists_projects.NewProject(
            title="1 号楼助老送餐", description="共建单位志愿者为独居老人送餐", building_ids=[building],
            need_ids=[need.id], resource_ids=[volunteers.id], organization_ids=[shop]), now)
        await lists_projects.transition(conn, staff, project.id, lists_projects.MoveProject(to="active"),
                                        lambda current: None, now)
        await lists_projects.make_tasks(conn, staff, project.id, lists_projects.ProjectTasks(
            title="登记独居老人送餐地址与忌口", priority="normal",
            checklist=[tasks.ChecklistItem(text="逐户走访 6 位老人")]))
    return True
