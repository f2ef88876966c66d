"""Helpers of the campaigns' tests: the local day, moving the test clock to the next one, a
campaign of the town's community whose phases end today, tomorrow and the day after."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.support.clock import business_now

ZONE = ZoneInfo("Asia/Shanghai")


async def today(db) -> date:
    return (await business_now(db)).astimezone(ZONE).date()


async def next_day(client, db) -> None:
    """Move the test clock to 00:01 of the next local day (the due jobs are run by the test)."""
    now = await business_now(db)
    target = datetime.combine(now.astimezone(ZONE).date() + timedelta(days=1), time(0, 1), tzinfo=ZONE)
    moved = await client.post("/v1/test-clock", json={"advance_seconds": int((target - now).total_seconds()) + 1})
    assert moved.status_code == 200, moved.text


async def new_campaign(client, db, town, **fields):
    day = await today(db)
    body = {"title": "2026 年度嘉富社区最美楼栋", "nominate_until": day.isoformat(),
            "assess_until": (day + timedelta(days=1)).isoformat(), "rate_until": (day + timedelta(days=2)).isoformat(),
            "winners": 1, **fields}
    created = await client.post(f"/v1/communities/{town.community}/campaigns", headers=town.people["staff"].headers(),
                                json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def status_of(client, town, campaign) -> str:
    return (await client.get(f"/v1/campaigns/{campaign['id']}", headers=town.people["staff"].headers())).json()["status"]
