"""Demo residents of 菊园新区, bound to the demo mini-program's stand-in WeChat identities, so
a newcomer signs in as someone who already lives somewhere (development only):

  code ``zhang`` — 张小华, head of household 1-101 in 嘉富苑 1 号楼
  code ``wang``  — 王建国, owner in 1-102 and leader of 嘉富苑 1 号楼
  code ``sun``   — 孙丽, staff of 嘉富社区
  code ``zhou``  — 周明, officer of 菊园新区

Loading is idempotent: a person whose identity exists is left as it is."""

from __future__ import annotations

import asyncpg

from domain.ids import new_id
from store.events import Subject, append_event

DEMO_PEOPLE = (
    # code, real name, nickname, unit label (or None), role on a scope (or None)
    ("zhang", "张小华", "阳台种花的老张", "1-101", None),
    ("wang", "王建国", "王楼长", "1-102", "building_leader"),
    ("sun", "孙丽", "孙社工", None, "community_staff"),
    ("zhou", "周明", "周科长", None, "street_officer"),
)


async def load_demo_people(conn: asyncpg.Connection, *, street_id: str, appid: str, community_id: str,
                           building_id: str) -> list[str]:
    loaded = []
    async with conn.transaction():
        for code, real_name, nickname, unit_label, role in DEMO_PEOPLE:
            openid = f"openid-{code}"
            if await conn.fetchval("SELECT 1 FROM wechat_identities WHERE appid = $1 AND openid = $2",
                                   appid, openid):
                continue
            person_id = new_id("person")
            await conn.execute("INSERT INTO persons (id, nickname, real_name) VALUES ($1, $2, $3)",
                               person_id, nickname, real_name)
            await conn.execute("INSERT INTO wechat_identities (appid, openid, person_id) VALUES ($1, $2, $3)",
                               appid, openid, person_id)
            if unit_label:
                household_id = await conn.fetchval(
                    "SELECT id FROM households WHERE building_id = $1 AND unit_label = $2", building_id, unit_label)
                membership_id = new_id("membership")
                await conn.execute(
                    """INSERT INTO memberships (id, street_id, community_id, building_id, household_id, person_id,
                                                role, head) VALUES ($1, $2, $3, $4, $5, $6, 'owner', $7)""",
                    membership_id, street_id, community_id, building_id, household_id, person_id, code == "zhang")
                await append_event(conn, type="household.joined", street_id=street_id,
                                   subject=Subject("household", household_id), community_id=community_id,
                                   building_id=building_id,
                                   data={"membership_id": membership_id, "household_id": household_id,
                                         "person_id": person_id, "role": "owner", "head": code == "zhang"})
            if role:
                scope_type, scope_id = {"building_leader": ("building", building_id),
                                        "community_staff": ("community", community_id),
                                        "street_officer": ("street", street_id)}[role]
                role_id = new_id("role")
                await conn.execute(
                    """INSERT INTO roles (id, street_id, person_id, role, scope_type, scope_id, community_id,
                                          building_id, granted_by)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'demo')""",
                    role_id, street_id, person_id, role, scope_type, scope_id,
                    community_id if scope_type != "street" else None,
                    building_id if scope_type == "building" else None)
                await append_event(conn, type="role.granted", street_id=street_id, subject=Subject("role", role_id),
                                   community_id=community_id if scope_type != "street" else None,
                                   building_id=building_id if scope_type == "building" else None,
                                   data={"role": role, "scope": {"type": scope_type, "id": scope_id},
                                         "person_id": person_id})
            loaded.append(code)
    return loaded


async def load_for_juyuan(conn: asyncpg.Connection, appid: str) -> list[str]:
    """Find the demo places of 菊园新区 (嘉富社区, 嘉富苑 1 号楼) and load the demo people there."""
    row = await conn.fetchrow(
        """SELECT b.street_id, b.community_id, b.id AS building_id FROM buildings b
           JOIN communities c ON c.id = b.community_id
           WHERE c.external_id = 'cli_demo_juyuan-c0' AND b.external_id = 'cli_demo_juyuan-c0-b0'""")
    if row is None:
        return []
    return await load_demo_people(conn, street_id=row["street_id"], appid=appid,
                                  community_id=row["community_id"], building_id=row["building_id"])
