"""Bookings of shared spaces, and households' suspensions after no-shows.

Call ``insert`` holding the space's row lock (store.spaces.get(for_update=True)): inserts of
one space then run one at a time, so the exclusion constraint never sees two racing inserts
(which can deadlock, 40P01) and a loser learns of the clash at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.bookings import ACTIVE, Booking
from store.paging import Keyset, keyset_sql
from store.rows import model, models

_COLUMNS = ("b.id, b.street_id, b.space_id, b.community_id, b.building_id, b.household_id, b.organization_id, "
            "b.person_id, b.series_id, b.start_at, b.end_at, b.purpose, b.attendees, b.status, b.confirmed_at, "
            "b.checked_in_at, b.completed_at, b.rejected_at, b.cancelled_at, b.no_show_at, b.created_at, "
            "b.updated_at")
_STAMPS = {"confirmed": "confirmed_at", "checked_in": "checked_in_at", "completed": "completed_at",
           "rejected": "rejected_at", "cancelled": "cancelled_at", "no_show": "no_show_at"}


class Clash(Exception):
    """The exclusion constraint refused an insert: another active booking overlaps."""


async def insert(conn: asyncpg.Connection, fields: dict[str, Any], *, savepoint: bool = False) -> Booking:
    """``savepoint``: for a series, which goes on after a clash; a single booking needs none
    (a clash, only possible without the space's lock, ends its transaction anyway)."""
    columns = list(fields)
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    sql = f"INSERT INTO bookings AS b ({', '.join(columns)}) VALUES ({placeholders}) RETURNING {_COLUMNS}"
    try:
        if not savepoint:
            return model(Booking, await conn.fetchrow(sql, *fields.values()))
        async with conn.transaction():
            return model(Booking, await conn.fetchrow(sql, *fields.values()))
    except asyncpg.ExclusionViolationError:
        raise Clash() from None


async def obstacles(conn: asyncpg.Connection, space_id: str, household_id: str | None, start: datetime,
                    end: datetime, now: datetime) -> tuple[tuple[datetime, datetime] | None, datetime | None]:
    """In one round trip: the first active booking overlapping [start, end) (``first_overlap``)
    and the end of the household's running suspension (``suspended_until``), each or None."""
    row = await conn.fetchrow(
        """SELECT o.start_at, o.end_at,
                  (SELECT max(ends_at) FROM booking_suspensions
                    WHERE household_id = $5 AND starts_at <= $6 AND ends_at > $6) AS suspended_until
             FROM (SELECT 1) AS one
             LEFT JOIN LATERAL (
                  SELECT start_at, end_at FROM bookings
                   WHERE space_id = $1 AND status = ANY($4::text[])
                     AND tstzrange(start_at, end_at, '[)') && tstzrange($2, $3, '[)')
                   ORDER BY start_at LIMIT 1) AS o ON true""",
        space_id, start, end, list(ACTIVE), household_id, now)
    clash = None if row["start_at"] is None else (row["start_at"], row["end_at"])
    return clash, row["suspended_until"]


async def first_overlap(conn: asyncpg.Connection, space_id: str, start: datetime, end: datetime
                        ) -> tuple[datetime, datetime] | None:
    row = await conn.fetchrow(
        """SELECT start_at, end_at FROM bookings
           WHERE space_id = $1 AND status = ANY($4::text[])
             AND tstzrange(start_at, end_at, '[)') && tstzrange($2, $3, '[)')
           ORDER BY start_at LIMIT 1""", space_id, start, end, list(ACTIVE))
    return None if row is None else (row["start_at"], row["end_at"])


async def busy(conn: asyncpg.Connection, space_id: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    rows = await conn.fetch(
        """SELECT start_at, end_at FROM bookings
           WHERE space_id = $1 AND status = ANY($4::text[]) AND start_at < $3 AND end_at > $2
           ORDER BY start_at""", space_id, start, end, list(ACTIVE))
    return [(r["start_at"], r["end_at"]) for r in rows]


async def get(conn: asyncpg.Connection, street_id: str, booking_id: str, *,
              for_update: bool = False) -> Booking | None:
    lock = " FOR UPDATE" if for_update else ""
    return model(Booking, await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM bookings b WHERE b.id = $1 AND b.street_id = $2{lock}", booking_id, street_id))


async def get_for_job(conn: asyncpg.Connection, booking_id: str) -> Booking | None:
    """A booking by id alone, locked: a due job knows no street (the id is unique)."""
    return model(Booking, await conn.fetchrow(f"SELECT {_COLUMNS} FROM bookings b WHERE b.id = $1 FOR UPDATE",
                                              booking_id))


async def move(conn: asyncpg.Connection, booking_id: str, status: str, at: datetime) -> Booking:
    stamp = _STAMPS[status]
    return model(Booking, await conn.fetchrow(
        f"""UPDATE bookings AS b SET status = $2, {stamp} = $3, updated_at = clock_timestamp()
            WHERE b.id = $1 RETURNING {_COLUMNS}""", booking_id, status, at))


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset, *, space_id: str | None = None,
               person_id: str | None = None, household_ids: list[str] | None = None,
               active_only: bool = False) -> list[Booking]:
    params: list[Any] = [street_id]
    filters = ["b.street_id = $1"]
    if space_id is not None:
        params.append(space_id)
        filters.append(f"b.space_id = ${len(params)}")
    if person_id is not None:
        params.extend([person_id, household_ids or []])
        filters.append(f"(b.person_id = ${len(params) - 1} OR b.household_id = ANY(${len(params)}::text[]))")
    if active_only:
        params.append(list(ACTIVE))
        filters.append(f"b.status = ANY(${len(params)}::text[])")
    condition, order = keyset_sql(keyset, "b", params)
    return models(Booking, await conn.fetch(
        f"SELECT {_COLUMNS} FROM bookings b WHERE {' AND '.join(filters)} AND {condition} {order}", *params))


async def minutes_in(conn: asyncpg.Connection, household_id: str, start: datetime, end: datetime) -> int:
    """Minutes a household booked (held, used or missed) starting within [start, end)."""
    return await conn.fetchval(
        """SELECT coalesce(sum(extract(epoch FROM end_at - start_at)) / 60, 0)::int FROM bookings
           WHERE household_id = $1 AND start_at >= $2 AND start_at < $3
             AND status IN ('pending', 'confirmed', 'checked_in', 'completed', 'no_show')""",
        household_id, start, end)


async def calendar(conn: asyncpg.Connection, space_id: str, since: datetime) -> list[Booking]:
    return models(Booking, await conn.fetch(
        f"""SELECT {_COLUMNS} FROM bookings b WHERE b.space_id = $1 AND b.end_at > $2
              AND b.status IN ('pending', 'confirmed', 'checked_in', 'completed')
            ORDER BY b.start_at LIMIT 2000""", space_id, since))


# Suspensions

async def lock_household_record(conn: asyncpg.Connection, household_id: str) -> None:
    """Serialise the no-show reckoning of one household until the transaction ends: two of its
    no-shows recorded at once would each count the other as not yet there, and neither would
    suspend (a transaction-scoped advisory lock, so no other feature's row is locked)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('no_shows:' || $1, 0))", household_id)


async def suspended_until(conn: asyncpg.Connection, household_id: str, now: datetime) -> datetime | None:
    return await conn.fetchval(
        "SELECT max(ends_at) FROM booking_suspensions WHERE household_id = $1 AND starts_at <= $2 AND ends_at > $2",
        household_id, now)


async def no_shows_since(conn: asyncpg.Connection, household_id: str, since: datetime) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM bookings WHERE household_id = $1 AND status = 'no_show' AND start_at >= $2",
        household_id, since)


async def suspend(conn: asyncpg.Connection, *, id: str, street_id: str, household_id: str,
                  starts_at: datetime, ends_at: datetime) -> None:
    await conn.execute(
        """INSERT INTO booking_suspensions (id, street_id, household_id, starts_at, ends_at)
           VALUES ($1, $2, $3, $4, $5)""", id, street_id, household_id, starts_at, ends_at)
