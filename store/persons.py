"""Persons (global) and their WeChat identities."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.ids import new_id
from domain.people import Person
from store.rows import model, set_clause

_COLUMNS = "p.id, p.nickname, p.real_name, p.phone, p.erased_at, p.created_at, p.updated_at, p.show_on_leaderboard"


async def get(conn: asyncpg.Connection, person_id: str, *, for_update: bool = False) -> Person | None:
    lock = " FOR UPDATE" if for_update else ""
    return model(Person, await conn.fetchrow(f"SELECT {_COLUMNS} FROM persons p WHERE p.id = $1{lock}", person_id))


async def find_or_create_by_wechat(conn: asyncpg.Connection, *, appid: str, openid: str,
                                   unionid: str | None) -> tuple[str, bool]:
    """The person bound to this WeChat identity — by unionid when WeChat gave one (the same
    person across the mini-programs of one WeChat open platform account), else by
    (appid, openid) — created when new. Returns (person id, created)."""
    row = await conn.fetchrow(
        """SELECT person_id FROM wechat_identities WHERE appid = $1 AND openid = $2
           UNION ALL
           SELECT person_id FROM wechat_identities WHERE $3::text IS NOT NULL AND unionid = $3
           LIMIT 1""",
        appid, openid, unionid,
    )
    if row is not None:
        person_id = row["person_id"]
        await conn.execute(
            """INSERT INTO wechat_identities (appid, openid, unionid, person_id) VALUES ($1, $2, $3, $4)
               ON CONFLICT (appid, openid) DO UPDATE SET unionid = coalesce(EXCLUDED.unionid,
                                                                          wechat_identities.unionid)""",
            appid, openid, unionid, person_id)
        return person_id, False
    person_id = new_id("person")
    await conn.execute("INSERT INTO persons (id) VALUES ($1)", person_id)
    inserted = await conn.fetchval(
        """INSERT INTO wechat_identities (appid, openid, unionid, person_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (appid, openid) DO NOTHING RETURNING person_id""",
        appid, openid, unionid, person_id)
    if inserted is None:  # a concurrent first sign-in of the same identity won the race
        await conn.execute("DELETE FROM persons WHERE id = $1", person_id)
        existing = await conn.fetchval(
            "SELECT person_id FROM wechat_identities WHERE appid = $1 AND openid = $2", appid, openid)
        return existing, False
    return person_id, True


async def update(conn: asyncpg.Connection, person_id: str, changes: dict[str, Any]) -> Person:
    params: list[Any] = [person_id]
    assignments = set_clause(changes, ("nickname", "real_name", "phone", "show_on_leaderboard"), params)
    return model(Person, await conn.fetchrow(
        f"UPDATE persons p SET {assignments} WHERE p.id = $1 RETURNING {_COLUMNS}", *params))


async def erase(conn: asyncpg.Connection, person_id: str) -> None:
    """PIPL erasure: personal data and the WeChat binding go; the row stays so that past acts
    keep pointing at an anonymous person."""
    await conn.execute(
        """UPDATE persons SET nickname = NULL, real_name = NULL, phone = NULL, show_on_leaderboard = false,
                  erased_at = clock_timestamp(), updated_at = clock_timestamp()
           WHERE id = $1""", person_id)
    await conn.execute("DELETE FROM wechat_identities WHERE person_id = $1", person_id)
