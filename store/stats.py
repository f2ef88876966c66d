"""The statistics rollups (kept by the triggers of migrations/20261202020000_statistics_rollups.sql):
sums over the days of a period for the places of a scope, optionally grouped. Reads only the
rollups (and the scope's spaces and votes), never a street's raw rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import asyncpg

from domain.stats import OpenSpace

# The scope's rows: the column that names the place (ids come from the caller, columns from here).
_SCOPE = {"street": "street_id", "community": "community_id", "building": "building_id"}
_GROUP = {None: "''", "community": "community_id", "building": "building_id", "month": "to_char(day, 'YYYY-MM')"}


def _where(scope: str) -> str:
    return f"{_SCOPE[scope]} = $1 AND day BETWEEN $2 AND $3"


def _level(scope: str, group: str | None) -> str:
    """Which counter rows to read: the buildings' own for a building or per building, else the
    communities' rows (building_id '*'): one per community and day, whatever the street's size."""
    if scope == "building" or group == "building":
        return f"{_SCOPE[scope]} = $1 AND building_id NOT IN ('*', '')"
    return f"{_SCOPE[scope]} = $1 AND building_id = '*' AND community_id <> '*'"


def _person_level(scope: str, group: str | None) -> str:
    """Distinct persons are counted at each level (a person may act in two buildings)."""
    if scope == "building" or group == "building":
        return _level(scope, group)
    if scope == "community" or group == "community":
        return f"{_SCOPE[scope]} = $1 AND building_id = '*' AND community_id <> '*'"
    return "street_id = $1 AND community_id = '*' AND building_id = '*'"


async def counts(conn: asyncpg.Connection, scope: str, place_id: str, start: date, end: date,
                 group: str | None) -> dict[str, dict[str, float]]:
    rows = await conn.fetch(
        f"""SELECT {_GROUP[group]} AS key, metric, sum(n) AS n FROM stats_daily
             WHERE {_level(scope, group)} AND day BETWEEN $2 AND $3
               AND metric <> 'households' AND metric NOT LIKE 'month\\_%' GROUP BY 1, 2""", place_id, start, end)
    found: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        found[row["key"]][row["metric"]] = row["n"]
    return found


async def households(conn: asyncpg.Connection, scope: str, place_id: str, end: date,
                     group: str | None) -> dict[str, int]:
    """Households at the end of ``end`` (by the day each was created); for months, the
    households created in each month up to ``end`` (the caller accumulates)."""
    rows = await conn.fetch(
        f"""SELECT {_GROUP[group]} AS key, sum(n) AS n FROM stats_daily
             WHERE {_level(scope, group)} AND metric = 'households' AND day <= $2 GROUP BY 1""", place_id, end)
    return {row["key"]: int(row["n"]) for row in rows}


async def month_activity(conn: asyncpg.Connection, scope: str, place_id: str, start: date, end: date,
                         group: str | None) -> dict[str, tuple[int, int]]:
    """(households with an act, persons with an act or sign-in) of whole calendar months,
    from the months' counters (``start`` the 1st of the first, ``end`` the last day of the last)."""
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for index, (metric, level) in enumerate((("month_acting_households", _level(scope, group)),
                                             ("month_active_persons", _person_level(scope, group)))):
        for row in await conn.fetch(
                f"""SELECT {_GROUP[group]} AS key, sum(n) AS n FROM stats_daily
                     WHERE {level} AND metric = '{metric}' AND day BETWEEN $2 AND $3 GROUP BY 1""",
                place_id, start, end):
            found[row["key"]][index] = int(row["n"])
    return {key: (value[0], value[1]) for key, value in found.items()}


async def activity(conn: asyncpg.Connection, scope: str, place_id: str, start: date, end: date,
                   group: str | None) -> dict[str, tuple[int, int]]:
    """(households with an act, persons with an act or sign-in) per group, over the days'
    activity rows: for periods that are not one calendar month."""
    rows = await conn.fetch(
        f"""SELECT {_GROUP[group]} AS key,
                   count(DISTINCT household_id) FILTER (WHERE kind = 'act' AND household_id <> '') AS households,
                   count(DISTINCT person_id) FILTER (WHERE person_id <> '') AS persons
              FROM stats_activity WHERE {_where(scope)} AND n > 0 GROUP BY 1""", place_id, start, end)
    return {row["key"]: (row["households"], row["persons"]) for row in rows}


async def medians(conn: asyncpg.Connection, scope: str, place_id: str, start: date, end: date,
                  group: str | None) -> dict[str, dict[str, float]]:
    rows = await conn.fetch(
        f"""SELECT {_GROUP[group]} AS key, metric, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median
              FROM stats_durations WHERE {_where(scope)} GROUP BY 1, 2""", place_id, start, end)
    found: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        found[row["key"]][row["metric"]] = row["median"]
    return found


async def opening_hours(conn: asyncpg.Connection, scope: str, place_id: str) -> list[OpenSpace]:
    """The opening hours and closures of the scope's spaces (few: at most one or two a building)."""
    return [OpenSpace(r["timezone"], r["opening_hours"],
                      tuple((datetime.fromisoformat(c["start_at"]), datetime.fromisoformat(c["end_at"]))
                            for c in r["closures"]), r["community_id"], r["building_id"] or "")
            for r in await conn.fetch(f"SELECT timezone, opening_hours, closures, community_id, building_id "
                                      f"FROM spaces WHERE {_SCOPE[scope]} = $1", place_id)]


async def turnout(conn: asyncpg.Connection, scope: str, place_id: str, start: Any, end: Any) -> list[dict[str, Any]]:
    """Votes of the scope that closed in [start, end): ballots and electorate (by their indexes)."""
    return [dict(r) for r in await conn.fetch(
        f"""SELECT v.id, v.subject_type, v.subject_id, v.community_id, v.building_id, v.closes_at,
                   (SELECT count(*) FROM ballots b WHERE b.vote_id = v.id) AS ballots,
                   (SELECT count(*) FROM vote_electorate e WHERE e.vote_id = v.id) AS eligible
              FROM votes v WHERE v.{_SCOPE[scope]} = $1 AND v.closes_at >= $2 AND v.closes_at < $3
             ORDER BY v.closes_at, v.id""", place_id, start, end)]


_SCOPE_OF_AUDIENCE = {"street": "a.street_id = $1", "community": "ab.community_id = $1",
                      "building": "ab.building_id = $1"}


def _month_or(group: str | None, alias: str, stamp: str, params: list[Any], timezone: str) -> str:
    """The grouping key of a raw row: its local month, its community or building, or ''."""
    if group == "month":
        params.append(timezone)
        return f"to_char({stamp} AT TIME ZONE ${len(params)}, 'YYYY-MM')"
    return "''" if group is None else f"{alias}.{group}_id"


async def awareness(conn: asyncpg.Connection, scope: str, place_id: str, start: datetime, end: datetime,
                    timezone: str, group: str | None) -> dict[str, tuple[int, int]]:
    """(Σ acknowledged, Σ households) of the scope's part of the announcements that ask for
    acknowledgement, were published in [start, end) and are not withdrawn: the per-building
    counters kept as households acknowledge (few rows: announcements × buildings reached)."""
    params: list[Any] = [place_id, start, end]
    key = _month_or(group, "ab", "a.published_at", params, timezone)
    rows = await conn.fetch(
        f"""SELECT {key} AS key, sum(ab.acknowledged) AS acknowledged, sum(ab.households) AS households
              FROM announcement_buildings ab JOIN announcements a ON a.id = ab.announcement_id
             WHERE {_SCOPE_OF_AUDIENCE[scope]} AND a.requires_acknowledgement AND a.status <> 'withdrawn'
               AND a.published_at >= $2 AND a.published_at < $3 GROUP BY 1""", *params)
    return {r["key"]: (int(r["acknowledged"]), int(r["households"])) for r in rows}


async def questions(conn: asyncpg.Connection, scope: str, place_id: str, start: datetime, end: datetime,
                    timezone: str, group: str | None) -> dict[str, tuple[int, int, float | None]]:
    """(asked, first answered, median hours to the first answer of those) in [start, end).
    Questions belong to a community: a building (or a grouping by building) has none."""
    if scope == "building" or group == "building":
        return {}
    found: dict[str, list[Any]] = defaultdict(lambda: [0, 0, None])
    for index, stamp in ((0, "q.created_at"), (1, "q.first_answered_at")):
        params: list[Any] = [place_id, start, end]
        key = _month_or(group, "q", stamp, params, timezone)
        median = ("percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM q.first_answered_at - q.created_at)"
                  " / 3600)" if index else "NULL::float8")
        for row in await conn.fetch(
                f"""SELECT {key} AS key, count(*) AS n, {median} AS median FROM questions q
                     WHERE q.{_SCOPE[scope]} = $1 AND {stamp} >= $2 AND {stamp} < $3 GROUP BY 1""", *params):
            found[row["key"]][index] = int(row["n"])
            if index:
                found[row["key"]][2] = row["median"]
    return {k: (v[0], v[1], v[2]) for k, v in found.items()}


async def names(conn: asyncpg.Connection, group: str, ids: list[str]) -> dict[str, str]:
    table = "communities" if group == "community" else "buildings"
    return {r["id"]: r["name"] for r in await conn.fetch(f"SELECT id, name FROM {table} WHERE id = ANY($1)", ids)}


async def timezone(conn: asyncpg.Connection, street_id: str) -> str:
    return await conn.fetchval("SELECT timezone FROM streets WHERE id = $1", street_id)


async def rebuild(conn: asyncpg.Connection) -> None:
    """Every rollup again from the raw rows (after a bulk load; the brute-force check)."""
    await conn.execute("SELECT stats_rebuild()")
