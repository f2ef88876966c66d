"""Announcements (看), their frozen audience and acknowledgements (我已知晓)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.announcements import Acknowledgement, Announcement
from domain.ids import new_id
from store.paging import NEWEST_FIRST, Keyset, keyset_sql
from store.rows import model, models, one, set_clause

UPDATABLE = ("title", "body", "pinned", "publish_at", "expires_at", "requires_acknowledgement")
_STAMPS = {"published": "published_at", "expired": "expired_at", "withdrawn": "withdrawn_at"}
# An announcement's `acknowledged` is the sum of its buildings' counters (announcement_buildings),
# not a column of its own: an acknowledgement then updates one counter row, not two.
_ROW = """a.*, (SELECT coalesce(sum(b.acknowledged), 0) FROM announcement_buildings b
                WHERE b.announcement_id = a.id)::integer AS acknowledged"""


async def insert(conn: asyncpg.Connection, *, street_id: str, community_id: str | None, building_id: str | None,
                 scope: str, author_type: str, author_id: str, title: str, body: str, pinned: bool,
                 requires_acknowledgement: bool, publish_at: datetime, expires_at: datetime | None) -> Announcement:
    return one(Announcement, await conn.fetchrow(
        f"""INSERT INTO announcements AS a (id, street_id, community_id, building_id, scope, author_type, author_id,
                                            title, body, pinned, requires_acknowledgement, status, publish_at,
                                            expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'scheduled', $12, $13) RETURNING {_ROW}""",
        new_id("announcement"), street_id, community_id, building_id, scope, author_type, author_id, title, body,
        pinned, requires_acknowledgement, publish_at, expires_at))


async def get(conn: asyncpg.Connection, street_id: str, announcement_id: str, *,
              lock: bool = False) -> Announcement | None:
    suffix = " FOR UPDATE" if lock else ""
    return model(Announcement, await conn.fetchrow(
        f"SELECT {_ROW} FROM announcements a WHERE a.id = $1 AND a.street_id = $2{suffix}",
        announcement_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset, *, scopes: list[tuple[str, str | None, bool]],
               me: tuple[str, str], status: str | None) -> list[Announcement]:
    """The announcements of the given scopes — (scope, place id, manages it) each: all of a
    scope the caller manages, the published and expired ones of the others (and their own).
    Pinned first, then newest first (a cursor's row is found again for its pinned flag);
    with ``updated_since``, oldest change first."""
    params: list[Any] = [street_id, me[0], me[1]]
    arms = []
    for scope, place_id, manages in scopes:
        params.append(scope)
        arm = f"a.scope = ${len(params)}"
        if place_id is not None:
            params.append(place_id)
            arm += f" AND a.{scope}_id = ${len(params)}"
        if not manages:
            arm += (" AND (a.status IN ('published', 'expired')"
                    " OR (a.author_type = $2::text AND a.author_id = $3::text))")
        arms.append(f"({arm})")
    arms.append("($2::text IS NULL AND $3::text IS NULL)")  # never true: names the caller's types
    filters = [f"a.street_id = $1 AND ({' OR '.join(arms) or 'FALSE'})"]
    if status is not None:
        params.append(status)
        filters.append(f"a.status = ${len(params)}")
    if keyset.order != NEWEST_FIRST:
        condition, order = keyset_sql(keyset, "a", params)
        filters.append(condition)
    else:
        if keyset.after is not None:
            params.extend(keyset.after)
            filters.append(f"""(a.pinned, a.created_at, a.id) < (
                coalesce((SELECT pinned FROM announcements WHERE id = ${len(params)}), false),
                ${len(params) - 1}, ${len(params)})""")
        params.append(keyset.limit + 1)
        order = f"ORDER BY a.pinned DESC, a.created_at DESC, a.id DESC LIMIT ${len(params)}"
    return models(Announcement, await conn.fetch(
        f"SELECT {_ROW} FROM announcements a WHERE {' AND '.join(filters)} {order}", *params))


async def update(conn: asyncpg.Connection, announcement_id: str, changes: dict[str, Any]) -> Announcement:
    params: list[Any] = [announcement_id]
    assignments = set_clause(changes, UPDATABLE, params)
    return one(Announcement, await conn.fetchrow(
        f"UPDATE announcements AS a SET {assignments} WHERE a.id = $1 RETURNING {_ROW}", *params))


async def move(conn: asyncpg.Connection, announcement_id: str, to: str, at: datetime) -> Announcement:
    return one(Announcement, await conn.fetchrow(
        f"""UPDATE announcements AS a SET status = $2, {_STAMPS[to]} = $3, updated_at = clock_timestamp()
            WHERE a.id = $1 RETURNING {_ROW}""", announcement_id, to, at))


async def freeze_audience(conn: asyncpg.Connection, announcement: Announcement, at: datetime) -> Announcement:
    """Publish: the households of the scope now become its audience, counted per building,
    and the announcement is published with their number."""
    scope_filter = {"street": "h.street_id = $2", "community": "h.community_id = $2",
                    "building": "h.building_id = $2"}[announcement.scope]
    place_id = {"street": announcement.street_id, "community": announcement.community_id,
                "building": announcement.building_id}[announcement.scope]
    await conn.execute(
        f"""INSERT INTO announcement_households (announcement_id, household_id, building_id)
            SELECT $1, h.id, h.building_id FROM households h WHERE {scope_filter}
            ON CONFLICT DO NOTHING""", announcement.id, place_id)
    await conn.execute(
        """INSERT INTO announcement_buildings (announcement_id, building_id, community_id, households)
           SELECT ah.announcement_id, ah.building_id, b.community_id, count(*)
             FROM announcement_households ah JOIN buildings b ON b.id = ah.building_id
            WHERE ah.announcement_id = $1 GROUP BY ah.announcement_id, ah.building_id, b.community_id
           ON CONFLICT DO NOTHING""", announcement.id)
    return one(Announcement, await conn.fetchrow(
        f"""UPDATE announcements AS a SET status = 'published', published_at = $2, updated_at = clock_timestamp(),
                  households = (SELECT count(*) FROM announcement_households WHERE announcement_id = $1)
            WHERE a.id = $1 RETURNING {_ROW}""", announcement.id, at))


async def acknowledge(conn: asyncpg.Connection, announcement_id: str, household_id: str, building_id: str,
                      person_id: str | None, at: datetime) -> bool:
    """Record the household's acknowledgement once (a second one changes nothing); True when
    this call recorded it. The counters move only for a household of the frozen audience."""
    row = await conn.fetchrow(
        """INSERT INTO announcement_acknowledgements (announcement_id, household_id, building_id, person_id,
                                                      in_audience, created_at)
           VALUES ($1, $2, $3, $4, EXISTS (SELECT 1 FROM announcement_households
                                            WHERE announcement_id = $1 AND household_id = $2), $5)
           ON CONFLICT (announcement_id, household_id) DO NOTHING RETURNING in_audience""",
        announcement_id, household_id, building_id, person_id, at)
    if row is None:
        return False
    if row["in_audience"]:
        await conn.execute("""UPDATE announcement_buildings SET acknowledged = acknowledged + 1
                              WHERE announcement_id = $1 AND building_id = $2""", announcement_id, building_id)
    return True


async def acknowledgement(conn: asyncpg.Connection, announcement_id: str, household_id: str) -> Acknowledgement:
    return one(Acknowledgement, await conn.fetchrow(
        """SELECT announcement_id, household_id, building_id, in_audience, created_at
             FROM announcement_acknowledgements WHERE announcement_id = $1 AND household_id = $2""",
        announcement_id, household_id))


async def acknowledged_households(conn: asyncpg.Connection, announcement_ids: list[str],
                                  household_ids: list[str]) -> set[tuple[str, str]]:
    """(announcement, household) pairs of these that were acknowledged."""
    rows = await conn.fetch(
        """SELECT announcement_id, household_id FROM announcement_acknowledgements
            WHERE announcement_id = ANY ($1::text[]) AND household_id = ANY ($2::text[])""",
        announcement_ids, household_ids)
    return {(r["announcement_id"], r["household_id"]) for r in rows}


async def per_building(conn: asyncpg.Connection, announcement_id: str,
                       building_id: str | None) -> list[tuple[str, str, str, int, int, list[str]]]:
    """(building id, community id, name, households, acknowledged, unit labels not acknowledged)
    of the frozen audience, by building name."""
    rows = await conn.fetch(
        """SELECT ab.building_id, ab.community_id, b.name, ab.households, ab.acknowledged,
                  coalesce((SELECT array_agg(h.unit_label ORDER BY h.unit_label)
                              FROM announcement_households ah JOIN households h ON h.id = ah.household_id
                             WHERE ah.announcement_id = ab.announcement_id AND ah.building_id = ab.building_id
                               AND NOT EXISTS (SELECT 1 FROM announcement_acknowledgements k
                                                WHERE k.announcement_id = ah.announcement_id
                                                  AND k.household_id = ah.household_id)), '{}') AS pending
             FROM announcement_buildings ab JOIN buildings b ON b.id = ab.building_id
            WHERE ab.announcement_id = $1 AND ($2::text IS NULL OR ab.building_id = $2)
            ORDER BY b.name, ab.building_id""", announcement_id, building_id)
    return [(r["building_id"], r["community_id"], r["name"], r["households"], r["acknowledged"], list(r["pending"]))
            for r in rows]


async def anonymise(conn: asyncpg.Connection, person_id: str) -> None:
    """Erasure: the household's acknowledgement stays (and counts); who pressed it does not."""
    await conn.execute("UPDATE announcement_acknowledgements SET person_id = NULL WHERE person_id = $1", person_id)
