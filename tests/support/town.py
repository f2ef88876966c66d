"""A small street with everyone in it, arranged directly in SQL: two communities, three
buildings, households, residents, a leader, community staff, a street officer, an
organisation member — and the same again in another street, to prove the walls."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import asyncpg

from domain.ids import new_id
from service.settings import Settings
from tests.support.people import Person, grant, join, miniprogram_client, new_person
from tests.support.platform import Platform


@dataclass
class Town:
    street_id: str
    client_id: str  # the mini-program client residents sign in through
    community: str
    other_community: str
    building: str
    neighbour_building: str  # same community, other building
    far_building: str  # other community
    household: str
    neighbour_household: str  # same building
    people: dict[str, Person] = field(default_factory=dict)
    proposal: str = ""  # filled in by tests that need one
    space: str = ""
    task: str = ""
    report: str = ""


async def _place(db: asyncpg.Pool, street_id: str, community_id: str, name: str) -> tuple[str, list[str]]:
    building_id = new_id("building")
    await db.execute("INSERT INTO buildings (id, street_id, community_id, name, rules) VALUES ($1, $2, $3, $4, '{}')",
                     building_id, street_id, community_id, name)
    households = []
    for room in ("101", "102", "201"):
        household_id = new_id("household")
        await db.execute(
            """INSERT INTO households (id, street_id, community_id, building_id, unit_label, area_m2)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            household_id, street_id, community_id, building_id, f"1-{room}", Decimal("80.00"))
        households.append(household_id)
    return building_id, households


async def build_town(db: asyncpg.Pool, settings: Settings, platform: Platform) -> Town:
    street = platform.street_id
    communities = []
    for name in ("嘉富社区", "嘉北社区"):
        community_id = new_id("community")
        await db.execute("INSERT INTO communities (id, street_id, name) VALUES ($1, $2, $3)", community_id, street, name)
        communities.append(community_id)
    building, households = await _place(db, street, communities[0], "1 号楼")
    neighbour_building, neighbour_households = await _place(db, street, communities[0], "2 号楼")
    far_building, far_households = await _place(db, street, communities[1], "8 号楼")
    client_id, _ = await miniprogram_client(db, settings, street)
    town = Town(street, client_id, communities[0], communities[1], building, neighbour_building, far_building,
                households[0], households[1])

    async def person(key: str, **profile: str) -> Person:
        town.people[key] = await new_person(db, settings, client_id=client_id, street_id=street, **profile)
        return town.people[key]

    await join(db, await person("head", real_name="张小华", phone="13800138000", nickname="老张"),
               households[0], role="owner", head=True)
    await join(db, await person("tenant", nickname="小李"), households[1], role="tenant")
    await join(db, await person("neighbour", real_name="王五"), neighbour_households[0])
    await join(db, await person("far_resident", real_name="赵六"), far_households[0])
    leader = await person("leader", real_name="钱楼长")
    await join(db, leader, households[2])
    await grant(db, leader, "building_leader", building, street_id=street)
    await grant(db, await person("staff", real_name="孙社工"), "community_staff", communities[0], street_id=street)
    await grant(db, await person("far_staff"), "community_staff", communities[1], street_id=street)
    await grant(db, await person("officer", real_name="周街道"), "street_officer", street, street_id=street)
    await person("stranger", nickname="路人")  # signed in, but belongs nowhere
    return town
