"""A month of demo activities in 嘉富苑 (development only), made through the same use cases the
API runs: the 1 号楼 leader's tea party in the building's lounge (its booking made on
publishing), a weekly tai chi morning, a repair day, a children's reading afternoon and the
community's festival evening — all published, with 张小华 signed up for two; and a few
talents in the pool (张小华's photography and cooking, 王建国's repairs, shown with consent).
Loading is idempotent: nothing is added once the street has an activity."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from domain.permissions import Principal
from domain.talents import CONSENT_VERSION
from usecases import activities, activity_signups, talents

_ZONE = ZoneInfo("Asia/Shanghai")


def _local(now: datetime, days: int, hour: int) -> datetime:
    return (now.astimezone(_ZONE) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


async def load_demo_activities(conn: asyncpg.Connection, row: asyncpg.Record, people: dict[str, Principal],
                               now: datetime) -> bool:
    """``row``: the street, community and building of 嘉富苑 1 号楼; ``people``: the demo persons."""
    if await conn.fetchval("SELECT 1 FROM activities WHERE street_id = $1", row["street_id"]):
        return False
    leader, resident, staff = people["wang"], people["zhang"], people["sun"]
    lounge = await conn.fetchval("SELECT id FROM spaces WHERE building_id = $1 ORDER BY created_at LIMIT 1",
                                 row["building_id"])
    plans = [
        (leader, {"building_id": row["building_id"]}, activities.NewActivity(
            title="重阳节敬老茶话会", category="elderly_care", description="为楼里 70 岁以上的老人送上重阳糕，欢迎志愿者帮忙",
            starts_at=_local(now, 3, 14), ends_at=_local(now, 3, 16), space_id=lounge, capacity=12,
            cancel_before_minutes=120, points_per_attendee=10)),
        (leader, {"building_id": row["building_id"]}, activities.NewActivity(
            title="楼道义务维修日", category="volunteering", description="修灯、换锁芯、通下水，带上工具来帮忙",
            starts_at=_local(now, 10, 9), ends_at=_local(now, 10, 12), location="1 号楼门口", capacity=8,
            points_per_attendee=20)),
        (leader, {"building_id": row["building_id"]}, activities.NewActivity(
            title="亲子阅读下午", category="children", starts_at=_local(now, 17, 15), ends_at=_local(now, 17, 17),
            location="1 号楼共享客厅外草坪", capacity=20, points_per_attendee=5)),
        (staff, {"community_id": row["community_id"]}, activities.NewActivity(
            title="嘉富社区邻里节晚会", category="festival", description="各楼组出一个节目，社区准备茶点",
            starts_at=_local(now, 24, 18), ends_at=_local(now, 24, 21), location="嘉富苑中心广场")),
    ]
    plans += [(leader, {"building_id": row["building_id"]}, activities.NewActivity(
        title="晨练太极", category="sports", starts_at=_local(now, days, 7), ends_at=_local(now, days, 8),
        location="嘉富苑中心广场", points_per_attendee=2)) for days in (2, 9, 16, 23, 30)]
    async with conn.transaction():
        created = []
        for by, place, plan in plans:
            activity = await activities.create(conn, by, plan, **place)
            created.append(await activities.transition(conn, by, activity.id, activities.MoveActivity(to="published"),
                                                       lambda current: None, now))
        for activity in created[:2]:
            await activity_signups.sign_up(conn, resident, activity.id, activity_signups.NewSignup(companions=1), now)
        consent = talents.Consent(version=CONSENT_VERSION)
        await talents.put_mine(conn, resident, talents.PutTalents(talents=[
            talents.TalentItem(tag="photography", description="可为楼组活动拍照"),
            talents.TalentItem(tag="cooking", description="会做本帮菜，邻里节可帮忙")],
            available_for=["activity"], visible=True, consent=consent), now)
        await talents.put_mine(conn, leader, talents.PutTalents(talents=[
            talents.TalentItem(tag="repair", description="水电小修")],
            available_for=["task", "activity"], visible=True, consent=consent), now)
    return True
