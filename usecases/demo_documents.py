"""Demo documents in 嘉富苑 1 号楼 (development only): the building's convention (居民公约), in
force as its version 1 — adopted on paper before the building used Bilin — so a newcomer can
read it and raise an amendment on ``base_number: 1``. Loading is idempotent: nothing is added
once the convention has a version."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from usecases import documents

CONVENTION = """嘉富苑 1 号楼居民公约

一、爱护楼道环境，不在楼道、消防通道堆放杂物和停放电动自行车。
二、文明养犬，出门牵绳，及时清理犬只粪便。
三、垃圾按时分类投放，不高空抛物。
四、晚上 10 点至早上 7 点保持安静，装修在规定时间内进行。
五、邻里互助，关心独居老人，守望相助。
六、本公约经本楼住户讨论通过，修订须经楼组议事表决。"""


async def load_demo_documents(conn: asyncpg.Connection, row: asyncpg.Record, now: datetime) -> None:
    """``row``: the street, community and building of 嘉富苑 1 号楼."""
    async with conn.transaction():
        await documents.record_paper_version(conn, row["street_id"], row["building_id"], text=CONVENTION,
                                             adopted_at=now - timedelta(days=90))
