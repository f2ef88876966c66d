"""Talent profiles and invitations in SQL. A profile's list of talents is kept as JSON with
its tags beside it (an array, indexed for ``?tag=``); names for the pool come from persons,
masked as members are (domain/people.py ``display_name``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from domain.ids import new_id
from domain.people import display_name
from domain.talents import Invitation, Listed, Profile, Talent
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one


def _talents(raw: Any) -> tuple[Talent, ...]:
    items = msgspec.json.decode(raw) if isinstance(raw, (str, bytes)) else raw
    return tuple(Talent(tag=item["tag"], description=item.get("description", "")) for item in items or [])


def _profile(row: asyncpg.Record) -> Profile:
    return Profile(street_id=row["street_id"], person_id=row["person_id"], talents=_talents(row["talents"]),
                   available_for=tuple(row["available_for"]), visible=row["visible"],
                   consent_version=row["consent_version"], consent_given_at=row["consent_given_at"],
                   consent_withdrawn_at=row["consent_withdrawn_at"], created_at=row["created_at"],
                   updated_at=row["updated_at"])


async def profile(conn: asyncpg.Connection, street_id: str, person_id: str, *, lock: bool = False) -> Profile | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await conn.fetchrow(f"SELECT * FROM talent_profiles WHERE street_id = $1 AND person_id = $2{suffix}",
                              street_id, person_id)
    return None if row is None else _profile(row)


async def put(conn: asyncpg.Connection, street_id: str, person_id: str, talents: tuple[Talent, ...],
              available_for: tuple[str, ...], visible: bool, consent_version: str | None,
              stamps: dict[str, datetime | None]) -> Profile:
    encoded = msgspec.json.encode([{"tag": t.tag, "description": t.description} for t in talents]).decode()
    row = await conn.fetchrow(
        """INSERT INTO talent_profiles AS t (street_id, person_id, talents, tags, available_for, visible,
                                             consent_version, consent_given_at, consent_withdrawn_at)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (street_id, person_id) DO UPDATE SET
               talents = excluded.talents, tags = excluded.tags, available_for = excluded.available_for,
               visible = excluded.visible, consent_version = excluded.consent_version,
               consent_given_at = excluded.consent_given_at, consent_withdrawn_at = excluded.consent_withdrawn_at,
               updated_at = clock_timestamp()
           RETURNING *""",
        street_id, person_id, encoded, sorted({t.tag for t in talents}), list(available_for), visible,
        consent_version, stamps["consent_given_at"], stamps["consent_withdrawn_at"])
    return _profile(row)


async def page_visible(conn: asyncpg.Connection, street_id: str, community_id: str, tag: str | None,
                       keyset: Keyset) -> list[Listed]:
    """Visible profiles of the community's live residents, newest first."""
    params: list[Any] = [street_id, community_id, tag]
    condition, order = keyset_sql(keyset, "x", params)
    rows = await conn.fetch(
        f"""SELECT * FROM (
                SELECT t.person_id AS id, t.talents, t.available_for, t.created_at, t.updated_at,
                       p.real_name, p.nickname
                  FROM talent_profiles t JOIN persons p ON p.id = t.person_id
                 WHERE t.street_id = $1 AND t.visible AND p.erased_at IS NULL
                   AND ($3::text IS NULL OR $3 = ANY(t.tags))
                   AND EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = t.person_id AND m.community_id = $2
                                 AND m.left_at IS NULL)) x
             WHERE {condition} {order}""", *params)
    return [Listed(person_id=r["id"], display_name=display_name(r["real_name"], r["nickname"]),
                   talents=_talents(r["talents"]), available_for=tuple(r["available_for"]),
                   created_at=r["created_at"], updated_at=r["updated_at"]) for r in rows]


async def insert_invitation(conn: asyncpg.Connection, values: dict[str, Any]) -> Invitation:
    columns = ["id", *values]
    params = [new_id("talent_invitation"), *values.values()]
    placeholders = ", ".join(f"${i}" for i in range(1, len(params) + 1))
    return one(Invitation, await conn.fetchrow(
        f"INSERT INTO talent_invitations ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *", *params))


async def invitation(conn: asyncpg.Connection, street_id: str, invitation_id: str, *,
                     lock: bool = False) -> Invitation | None:
    suffix = " FOR UPDATE" if lock else ""
    return model(Invitation, await conn.fetchrow(
        f"SELECT * FROM talent_invitations WHERE id = $1 AND street_id = $2{suffix}", invitation_id, street_id))


async def answer(conn: asyncpg.Connection, invitation_id: str, to: str, at: datetime) -> Invitation:
    stamp = {"accepted": "accepted_at", "declined": "declined_at"}[to]
    return one(Invitation, await conn.fetchrow(
        f"""UPDATE talent_invitations SET status = $2, {stamp} = $3, updated_at = clock_timestamp()
             WHERE id = $1 RETURNING *""", invitation_id, to, at))


async def page_invitations(conn: asyncpg.Connection, street_id: str, person_id: str, keyset: Keyset,
                           status: str | None) -> list[Invitation]:
    params: list[Any] = [street_id, person_id, status]
    condition, order = keyset_sql(keyset, "i", params)
    return models(Invitation, await conn.fetch(
        f"""SELECT i.* FROM talent_invitations i WHERE i.street_id = $1 AND i.person_id = $2
              AND ($3::text IS NULL OR i.status = $3) AND {condition} {order}""", *params))


async def erase(conn: asyncpg.Connection, person_id: str) -> None:
    """Erasure: the person's profiles and the invitations they received are gone."""
    await conn.execute("DELETE FROM talent_invitations WHERE person_id = $1", person_id)
    await conn.execute("DELETE FROM talent_profiles WHERE person_id = $1", person_id)
