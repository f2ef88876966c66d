"""Activities and their sign-ups in SQL. Every change of an activity's seats happens under
the activity's row lock (``get(lock=True)``): sign-ups, cancellations and promotions of one
activity run one at a time, and a CHECK keeps the confirmed seats within the capacity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.activities import Activity, Signup
from domain.errors import Conflict
from domain.ids import new_id
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one, set_clause

UPDATABLE = ("title", "description", "category", "starts_at", "ends_at", "location", "space_id", "capacity",
             "signup_opens_at", "signup_closes_at", "cancel_before_minutes", "points_per_attendee",
             "organizer_type", "organizer_id")
_POSITION = """CASE WHEN s.status = 'waitlisted' THEN (
                   SELECT count(*) FROM activity_signups w
                    WHERE w.activity_id = s.activity_id AND w.status = 'waitlisted' AND w.seq <= s.seq)::int
               END AS position"""
_STAMPS = {"published": "published_at", "finished": "finished_at", "cancelled": "cancelled_at"}


async def insert(conn: asyncpg.Connection, values: dict[str, Any]) -> Activity:
    columns = ["id", *values]
    params = [new_id("activity"), *values.values()]
    placeholders = ", ".join(f"${i}" for i in range(1, len(params) + 1))
    return one(Activity, await conn.fetchrow(
        f"INSERT INTO activities ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *", *params))


async def get(conn: asyncpg.Connection, street_id: str, activity_id: str, *, lock: bool = False) -> Activity | None:
    suffix = " FOR UPDATE" if lock else ""
    return model(Activity, await conn.fetchrow(
        f"SELECT * FROM activities WHERE id = $1 AND street_id = $2{suffix}", activity_id, street_id))


async def get_for_job(conn: asyncpg.Connection, activity_id: str) -> Activity | None:
    return model(Activity, await conn.fetchrow("SELECT * FROM activities WHERE id = $1 FOR UPDATE", activity_id))


async def timezone_of(conn: asyncpg.Connection, street_id: str) -> str:
    return await conn.fetchval("SELECT timezone FROM streets WHERE id = $1", street_id) or "Asia/Shanghai"


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset, *, community_id: str,
               building_id: str | None, span: tuple[datetime, datetime] | None, drafts: bool,
               person_id: str | None) -> list[Activity]:
    """A building's activities (``building_id``), or a community's own (``building_id`` None).
    Drafts only for those who manage the place (``drafts``) or organise them."""
    params: list[Any] = [street_id, community_id, building_id, drafts, person_id]
    filters = ["a.street_id = $1", "a.community_id = $2", "a.building_id IS NOT DISTINCT FROM $3",
               "(a.status <> 'draft' OR $4 OR (a.organizer_type = 'person' AND a.organizer_id = $5))"]
    if span is not None:
        params.extend(span)
        filters.append(f"a.starts_at >= ${len(params) - 1} AND a.starts_at < ${len(params)}")
    condition, order = keyset_sql(keyset, "a", params)
    return models(Activity, await conn.fetch(
        f"SELECT a.* FROM activities a WHERE {' AND '.join(filters)} AND {condition} {order}", *params))


async def update(conn: asyncpg.Connection, activity_id: str, changes: dict[str, Any]) -> Activity:
    params: list[Any] = [activity_id]
    assignments = set_clause(changes, UPDATABLE, params)
    return one(Activity, await conn.fetchrow(
        f"UPDATE activities SET {assignments} WHERE id = $1 RETURNING *", *params))


async def move(conn: asyncpg.Connection, activity_id: str, to: str, at: datetime, *,
               reason: str | None = None) -> Activity:
    return one(Activity, await conn.fetchrow(
        f"""UPDATE activities SET status = $2, {_STAMPS[to]} = $3, cancel_reason = coalesce($4, cancel_reason),
                   updated_at = clock_timestamp() WHERE id = $1 RETURNING *""", activity_id, to, at, reason))


async def set_booking(conn: asyncpg.Connection, activity_id: str, booking_id: str | None) -> Activity:
    return one(Activity, await conn.fetchrow(
        "UPDATE activities SET booking_id = $2, updated_at = clock_timestamp() WHERE id = $1 RETURNING *",
        activity_id, booking_id))


async def add_seats(conn: asyncpg.Connection, activity_id: str, delta: int) -> None:
    if delta:
        await conn.execute("UPDATE activities SET seats_taken = seats_taken + $2, updated_at = clock_timestamp() "
                           "WHERE id = $1", activity_id, delta)


# Sign-ups

def _signup_sql(where: str, suffix: str = "") -> str:
    return f"SELECT s.*, {_POSITION} FROM activity_signups s WHERE {where}{suffix}"


async def insert_signup(conn: asyncpg.Connection, activity: Activity, person_id: str, companions: int, status: str,
                        at: datetime) -> Signup:
    signup_id = new_id("activity_signup")
    try:
        await conn.execute(
            """INSERT INTO activity_signups (id, street_id, community_id, building_id, activity_id, person_id,
                                             companions, status, confirmed_at, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
            signup_id, activity.street_id, activity.community_id, activity.building_id, activity.id, person_id,
            companions, status, at if status == "confirmed" else None, at)
    except asyncpg.UniqueViolationError:
        raise Conflict("already_signed_up") from None
    return await signup(conn, signup_id)


async def signup(conn: asyncpg.Connection, signup_id: str) -> Signup:
    return one(Signup, await conn.fetchrow(_signup_sql("s.id = $1"), signup_id))


async def find_signup(conn: asyncpg.Connection, activity_id: str, signup_id: str) -> Signup | None:
    return model(Signup, await conn.fetchrow(_signup_sql("s.id = $1 AND s.activity_id = $2"),
                                             signup_id, activity_id))


async def live_signup_of(conn: asyncpg.Connection, activity_id: str, person_id: str) -> Signup | None:
    return model(Signup, await conn.fetchrow(
        _signup_sql("s.activity_id = $1 AND s.person_id = $2 AND s.status <> 'cancelled'"), activity_id, person_id))


async def latest_signup_of(conn: asyncpg.Connection, activity_id: str, person_id: str) -> Signup | None:
    return model(Signup, await conn.fetchrow(
        _signup_sql("s.activity_id = $1 AND s.person_id = $2", " ORDER BY s.seq DESC LIMIT 1"), activity_id, person_id))


async def waiting(conn: asyncpg.Connection, activity_id: str) -> list[tuple[str, int]]:
    rows = await conn.fetch("SELECT id, seats FROM activity_signups WHERE activity_id = $1 AND status = 'waitlisted' "
                            "ORDER BY seq", activity_id)
    return [(r["id"], r["seats"]) for r in rows]


async def promote(conn: asyncpg.Connection, signup_ids: list[str], at: datetime) -> list[Signup]:
    """Waitlisted → confirmed, each at most once (the status is the condition)."""
    rows = await conn.fetch(
        """UPDATE activity_signups SET status = 'confirmed', confirmed_at = $2, promoted_at = $2,
                  updated_at = clock_timestamp()
            WHERE id = ANY($1::text[]) AND status = 'waitlisted' RETURNING id""", signup_ids, at)
    return [await signup(conn, r["id"]) for r in rows]


async def cancel_signup(conn: asyncpg.Connection, signup_id: str, at: datetime) -> Signup | None:
    """A live sign-up → cancelled (None when it was no longer live)."""
    row = await conn.fetchrow(
        """UPDATE activity_signups SET status = 'cancelled', cancelled_at = $2, updated_at = clock_timestamp()
            WHERE id = $1 AND status <> 'cancelled' RETURNING id""", signup_id, at)
    return None if row is None else await signup(conn, signup_id)


async def live_signups(conn: asyncpg.Connection, activity_id: str) -> list[Signup]:
    return models(Signup, await conn.fetch(
        _signup_sql("s.activity_id = $1 AND s.status <> 'cancelled'", " ORDER BY s.seq"), activity_id))


async def attend(conn: asyncpg.Connection, signup_id: str, at: datetime) -> bool:
    """Record the attendance once; False when it was already recorded."""
    return await conn.fetchval(
        """UPDATE activity_signups SET attended_at = $2, updated_at = clock_timestamp()
            WHERE id = $1 AND attended_at IS NULL RETURNING id""", signup_id, at) is not None


async def page_signups(conn: asyncpg.Connection, activity_id: str, keyset: Keyset,
                       status: str | None) -> list[Signup]:
    params: list[Any] = [activity_id, status]
    condition, order = keyset_sql(keyset, "s", params)
    return models(Signup, await conn.fetch(
        f"""SELECT s.*, {_POSITION} FROM activity_signups s
             WHERE s.activity_id = $1 AND ($2::text IS NULL OR s.status = $2) AND {condition} {order}""", *params))


async def page_of_person(conn: asyncpg.Connection, street_id: str, person_id: str,
                         keyset: Keyset) -> list[tuple[Signup, Activity]]:
    params: list[Any] = [street_id, person_id]
    condition, order = keyset_sql(keyset, "s", params)
    rows = await conn.fetch(
        f"""SELECT s.*, {_POSITION} FROM activity_signups s
             WHERE s.street_id = $1 AND s.person_id = $2 AND {condition} {order}""", *params)
    signups = models(Signup, rows)
    found = models(Activity, await conn.fetch("SELECT * FROM activities WHERE id = ANY($1::text[])",
                                              [s.activity_id for s in signups]))
    by_id = {a.id: a for a in found}
    return [(s, by_id[s.activity_id]) for s in signups]


async def upcoming_signups_of_person(conn: asyncpg.Connection, person_id: str, now: datetime) -> list[Signup]:
    """Erasure: the person's live sign-ups of published activities that have not started."""
    return models(Signup, await conn.fetch(
        _signup_sql("""s.person_id = $1 AND s.status <> 'cancelled' AND EXISTS (
                         SELECT 1 FROM activities a WHERE a.id = s.activity_id AND a.status = 'published'
                            AND a.starts_at > $2)"""), person_id, now))


async def anonymise_signups(conn: asyncpg.Connection, person_id: str) -> None:
    await conn.execute("UPDATE activity_signups SET person_id = NULL, updated_at = clock_timestamp() "
                       "WHERE person_id = $1", person_id)

