"""A demo 最美楼栋 campaign of 嘉富社区 in its rating phase (development only), made through the
same use cases the API runs: 孙丽 starts it, 王建国 nominates 嘉富苑 1 号楼 and 孙丽 2 号楼,
1 号楼's self-assessment finds an issue that becomes a rectification task, 孙丽 and 张小华 (a
resident representative) are its raters, and 孙丽 has scored 2 号楼. To get there today, the
loader moves the ended phases' dates into the past (the only thing it writes directly) and lets
the service's own phase move (``campaigns_jobs.advance_campaign``) do the rest. Loading is
idempotent: nothing is added once the street has a campaign."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from domain.permissions import Principal
from usecases import campaign_ratings, campaigns
from usecases.campaigns_jobs import advance_campaign

TITLE = "2026 年度嘉富社区最美楼栋评选"


async def load_demo_campaigns(conn: asyncpg.Connection, row: asyncpg.Record, people: dict[str, Principal],
                              now: datetime) -> bool:
    """``row``: the street, community and building of 嘉富苑 1 号楼; ``people``: the demo persons."""
    if await conn.fetchval("SELECT 1 FROM campaigns WHERE street_id = $1", row["street_id"]):
        return False
    neighbour = await conn.fetchval(
        "SELECT id FROM buildings WHERE external_id = 'cli_demo_juyuan-c0-b1' AND street_id = $1", row["street_id"])
    leader, resident, staff = people["wang"], people["zhang"], people["sun"]
    street = row["street_id"]
    async with conn.transaction():
        today = await campaigns.today_of(conn, street, now)
        campaign = await campaigns.create(conn, staff, row["community_id"], campaigns.NewCampaign(
            title=TITLE, nominate_until=today, assess_until=today + timedelta(days=1),
            rate_until=today + timedelta(days=14), winners=1, prize_points=30), now)
        await campaigns.nominate(conn, leader, campaign.id, row["building_id"], now)
        if neighbour is not None:
            await campaigns.nominate(conn, staff, campaign.id, neighbour, now)
        await _end_phase(conn, campaign.id, "nominate_until", today - timedelta(days=2))
        await advance_campaign(conn, street, campaign.id, now)
        assessed = await campaigns.put_assessment(conn, leader, campaign.id, row["building_id"], campaigns.PutAssessment(
            criteria=[
                campaigns.CriterionAssessment(key="environment", text="楼道每周清扫，绿植由志愿者轮流养护",
                                              issues=[campaigns.IssueIn(text="5 楼楼道堆放旧家具")]),
                campaigns.CriterionAssessment(key="self_governance", text="楼组议事会每月一次，公约上墙"),
                campaigns.CriterionAssessment(key="civility", text="文明养犬，垃圾分类准确率高"),
                campaigns.CriterionAssessment(key="neighbourliness", text="邻里节、互助代购小组")]), now)
        await campaigns.rectify(conn, leader, campaign.id, row["building_id"], assessed.issues[0].id,
                                campaigns.RectificationTask(priority="normal"))
        await _end_phase(conn, campaign.id, "assess_until", today - timedelta(days=1))
        await advance_campaign(conn, street, campaign.id, now)
        for rater in (staff, resident):
            await campaign_ratings.add_rater(conn, staff, campaign.id,
                                             campaign_ratings.NewRater(person_id=rater.person_id or ""))
        if neighbour is not None:
            await campaign_ratings.score(conn, staff, campaign.id, neighbour, campaign_ratings.PutScores(scores={
                "environment": 8, "self_governance": 7, "civility": 9, "neighbourliness": 8}), now)
    return True


async def _end_phase(conn: asyncpg.Connection, campaign_id: str, column: str, day: object) -> None:
    """Demo only: the phase's last day moves into the past (the dates stay in order)."""
    assert column in ("nominate_until", "assess_until")
    await conn.execute(f"UPDATE campaigns SET {column} = $2 WHERE id = $1", campaign_id, day)
