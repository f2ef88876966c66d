"""Demo 看 and 问 in 嘉富苑 (development only), made through the same use cases the API runs: a
pinned community announcement that asks for acknowledgement (acknowledged by 张小华's
household), a building notice, and a few answered public questions — the community's FAQ, one
of them closed by its asker accepting the answer. Loading is idempotent: nothing is added once
the street has an announcement."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from domain.permissions import Principal
from usecases import announcement_acknowledgements, announcements, questions

FAQ = (
    ("电动车可以在楼道里充电吗？", "不可以。楼道充电有火灾隐患，请到小区北门的集中充电棚充电，扫码即可使用。"),
    ("小区的垃圾几点清运？", "每天早上 7 点和晚上 7 点各清运一次，大件垃圾请预约周六上午统一清运。"),
    ("怎么申请使用社区议事厅？", "在小程序“空间预约”里选择嘉富社区议事厅，提交后由社区工作人员审核。"),
)


async def load_demo_voice(conn: asyncpg.Connection, row: asyncpg.Record, people: dict[str, Principal],
                          now: datetime) -> bool:
    """``row``: the street, community and building of 嘉富苑 1 号楼; ``people``: the demo persons."""
    if await conn.fetchval("SELECT 1 FROM announcements WHERE street_id = $1", row["street_id"]):
        return False
    leader, resident, staff = people["wang"], people["zhang"], people["sun"]
    async with conn.transaction():
        notice = await announcements.create(conn, staff, "community", row["community_id"],
                                            announcements.NewAnnouncement(
            title="冬季消防安全检查通知", pinned=True, requires_acknowledgement=True,
            body="本周六上午 9:00—12:00 社区将会同物业入户检查消防安全，请各户留人在家，并清理楼道堆物。"
                 "阅读后请点击“我已知晓”。",
            expires_at=now + timedelta(days=30)), now)
        await announcement_acknowledgements.acknowledge(conn, resident, notice.id,
                                                        announcement_acknowledgements.Acknowledge(), now)
        await announcements.create(conn, leader, "building", row["building_id"], announcements.NewAnnouncement(
            title="1 号楼停水通知", body="因二次供水水箱清洗，下周二 9:00—15:00 停水，请提前储水。",
            expires_at=now + timedelta(days=10)), now)
        for index, (title, answer) in enumerate(FAQ):
            asked = await questions.ask(conn, resident, row["community_id"], questions.Ask(title=title, body=""), now)
            given = await questions.answer(conn, staff, asked.id, questions.NewAnswer(body=answer), now)
            if index == 0:
                await questions.transition(conn, resident, asked.id, questions.MoveQuestion(
                    to="closed", accepted_answer_id=given.id), lambda current: None, now)
    return True
