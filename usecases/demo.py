"""Demo data from the field reports' places (development and test configurations only).

Loading is idempotent: every row has an ``external_id`` and existing ones are kept, so the
run command can load it on every start. Each street gets a platform client with a fixed,
publicly known development secret, so a newcomer can get a token at once; production
refuses to load demo data."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from domain.ids import new_id
from domain.permissions import PLATFORM_SCOPES
from domain.places import BuildingRules
from store.events import Subject, append_event
from usecases.operator import create_platform_client

# street → (demo client id, communities → compounds → building names)
DEMO_STREETS: dict[str, tuple[str, dict[str, dict[str, list[str]]]]] = {
    "菊园新区": ("cli_demo_juyuan", {
        "嘉富社区": {"嘉富苑": ["1 号楼", "2 号楼", "3 号楼"]},
        "嘉北社区": {"嘉北小区": ["8 号楼", "9 号楼"]},
    }),
    "万里街道": ("cli_demo_wanli", {
        "愉景华庭": {"愉景华庭": ["12 号楼", "15 号楼"]},
        "中环花苑": {"中环花苑": ["3 号楼", "6 号楼"]},
    }),
    "和平桥街道": ("cli_demo_hepingqiao", {
        "万象西园": {"万象西园": ["5 号楼", "7 号楼"]},
    }),
    "垦利街道": ("cli_demo_kenli", {
        "康居社区": {"康居小区": ["1 号楼", "2 号楼", "3 号楼"]},
    }),
}
DEMO_SECRET = "dev-secret-not-for-production"
# Secrets published in the README and printed by the demo: production refuses to start while
# a client has one, and the token endpoint refuses them in production.
DEVELOPMENT_SECRETS = frozenset({DEMO_SECRET})
_FLOORS, _UNITS, _ROOMS_PER_FLOOR = 6, 2, 2


async def load_demo(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """Load the demo places; return (street name, client id) of the demo clients."""
    loaded = []
    for street_name, (client_id, communities) in DEMO_STREETS.items():
        street_id, _, _ = await create_platform_client(
            conn, street_name=street_name, name=f"{street_name} 演示平台", scopes=PLATFORM_SCOPES,
            client_id=client_id, secret=DEMO_SECRET)
        async with conn.transaction():
            for c_index, (community_name, compounds) in enumerate(communities.items()):
                community_id = await _community(conn, street_id, community_name, f"{client_id}-c{c_index}")
                for compound, names in compounds.items():
                    for b_index, building_name in enumerate(names):
                        await _building(conn, street_id, community_id, compound, building_name,
                                        f"{client_id}-c{c_index}-b{b_index}")
        loaded.append((street_name, client_id))
    return loaded


async def _community(conn: asyncpg.Connection, street_id: str, name: str, external_id: str) -> str:
    existing = await conn.fetchval(
        "SELECT id FROM communities WHERE street_id = $1 AND external_id = $2", street_id, external_id)
    if existing:
        return existing
    community_id = new_id("community")
    await conn.execute(
        "INSERT INTO communities (id, street_id, name, external_id) VALUES ($1, $2, $3, $4)",
        community_id, street_id, name, external_id)
    await append_event(conn, type="community.created", street_id=street_id,
                       subject=Subject("community", community_id), community_id=community_id,
                       data={"community": {"id": community_id, "name": name}})
    return community_id


async def _building(conn: asyncpg.Connection, street_id: str, community_id: str, compound: str,
                    name: str, external_id: str) -> None:
    if await conn.fetchval("SELECT 1 FROM buildings WHERE street_id = $1 AND external_id = $2",
                           street_id, external_id):
        return
    building_id = new_id("building")
    await conn.execute(
        """INSERT INTO buildings (id, street_id, community_id, name, address, compound_name, floors,
                                  units, external_id, rules)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        building_id, street_id, community_id, name, f"{compound}{name}", compound, _FLOORS, _UNITS,
        external_id, BuildingRules().to_stored())
    await append_event(conn, type="building.created", street_id=street_id,
                       subject=Subject("building", building_id), community_id=community_id,
                       building_id=building_id, data={"building": {"id": building_id, "name": name}})
    rows = []
    for unit in range(1, _UNITS + 1):
        for floor in range(1, _FLOORS + 1):
            for room in range(1, _ROOMS_PER_FLOOR + 1):
                area = Decimal(72 + 17 * room + floor % 3) + Decimal("0.50")
                rows.append((new_id("household"), street_id, community_id, building_id,
                             f"{unit}-{floor}0{room}", area, True, f"{external_id}-{unit}-{floor}0{room}"))
    await conn.copy_records_to_table(
        "households", records=rows,
        columns=["id", "street_id", "community_id", "building_id", "unit_label", "area_m2", "votes",
                 "external_id"])
    await conn.executemany(
        """INSERT INTO events (id, street_id, type, occurred_at, community_id, building_id,
                               subject_type, subject_id, data)
           VALUES ($1, $2, 'household.created', clock_timestamp(), $3, $4, 'household', $5, $6)""",
        [(new_id("event"), street_id, community_id, building_id, row[0],
          {"household": {"id": row[0], "unit_label": row[4]}}) for row in rows])
