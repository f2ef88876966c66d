"""A bookable space for booking tests, created over HTTP by the building's leader, and the
times to book it at (on the grid, in Asia/Shanghai, a few days ahead of business time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.clock import business_now

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_DAY = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def new_space(client, town, *, rules: dict | None = None, opening_hours: dict | None = None,
                    capacity: int = 20, closures: list | None = None) -> dict:
    body = {"name": "1 号楼活动室", "kind": "meeting_room", "capacity": capacity,
            "opening_hours": opening_hours or ALL_DAY, "closures": closures or [], "rules": rules or {}}
    response = await client.post(f"/v1/buildings/{town.building}/spaces", json=body,
                                 headers=town.people["leader"].headers())
    assert response.status_code == 201, response.text
    return response.json()


async def day_ahead(db, days: int = 3, hour: int = 10) -> datetime:
    """``days`` local days after business now, at ``hour``:00 Shanghai time."""
    now = (await business_now(db)).astimezone(SHANGHAI)
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def span(start: datetime, minutes: int) -> dict:
    return {"start_at": start.isoformat(), "end_at": (start + timedelta(minutes=minutes)).isoformat()}


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
