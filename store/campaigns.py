"""Campaigns, nominations, self-assessments and issues, raters, score sheets and results in
SQL. A campaign's row is the lock its phase moves and its score sheets queue on: a sheet is
written under ``FOR SHARE`` of the row, publishing under ``FOR UPDATE``, so every sheet is
either in the results or refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.campaigns import Assessment, Campaign, Issue, Nomination, Rater, Result, Score, Standing, decimal_2
from domain.ids import new_id
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one, set_clause

UPDATABLE = ("title", "criteria", "nominate_until", "assess_until", "rate_until", "winners", "prize_points")
STAMPS = {"assessing": "assessing_at", "rating": "rating_at", "published": "published_at"}


async def timezone_of(conn: asyncpg.Connection, street_id: str) -> str:
    return await conn.fetchval("SELECT timezone FROM streets WHERE id = $1", street_id)


async def insert(conn: asyncpg.Connection, street_id: str, community_id: str | None, values: dict[str, Any],
                 created_by: tuple[str, str | None]) -> Campaign:
    columns = ["id", "street_id", "community_id", "created_by_type", "created_by_id", *values]
    params = [new_id("campaign"), street_id, community_id, *created_by, *values.values()]
    placeholders = ", ".join(f"${i}" for i in range(1, len(params) + 1))
    return one(Campaign, await conn.fetchrow(
        f"INSERT INTO campaigns ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *", *params))


async def get(conn: asyncpg.Connection, street_id: str, campaign_id: str, *, lock: str | None = None) -> Campaign | None:
    suffix = {None: "", "share": " FOR SHARE", "update": " FOR UPDATE"}[lock]
    return model(Campaign, await conn.fetchrow(
        f"SELECT * FROM campaigns WHERE id = $1 AND street_id = $2{suffix}", campaign_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, community_id: str | None, keyset: Keyset) -> list[Campaign]:
    params: list[Any] = [street_id, community_id]
    condition, order = keyset_sql(keyset, "c", params)
    return models(Campaign, await conn.fetch(
        f"""SELECT c.* FROM campaigns c WHERE c.street_id = $1 AND c.community_id IS NOT DISTINCT FROM $2
              AND {condition} {order}""", *params))


async def update(conn: asyncpg.Connection, campaign_id: str, changes: dict[str, Any]) -> Campaign:
    params: list[Any] = [campaign_id]
    assignments = set_clause(changes, UPDATABLE, params)
    return one(Campaign, await conn.fetchrow(f"UPDATE campaigns SET {assignments} WHERE id = $1 RETURNING *",
                                             *params))


async def move(conn: asyncpg.Connection, campaign_id: str, to: str, at: datetime) -> Campaign:
    return one(Campaign, await conn.fetchrow(
        f"""UPDATE campaigns SET status = $2, {STAMPS[to]} = $3, updated_at = clock_timestamp()
             WHERE id = $1 RETURNING *""", campaign_id, to, at))


# Nominations

async def nominate(conn: asyncpg.Connection, campaign: Campaign, building_id: str, community_id: str | None,
                   by: str | None) -> Nomination | None:
    """The nomination, or None when the building already is nominated."""
    return model(Nomination, await conn.fetchrow(
        """INSERT INTO campaign_nominations (id, street_id, community_id, campaign_id, building_id, nominated_by)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (campaign_id, building_id) DO NOTHING RETURNING *""",
        new_id("campaign_nomination"), campaign.street_id, community_id, campaign.id, building_id, by))


async def nomination(conn: asyncpg.Connection, campaign_id: str, building_id: str) -> Nomination | None:
    return model(Nomination, await conn.fetchrow(
        "SELECT * FROM campaign_nominations WHERE campaign_id = $1 AND building_id = $2", campaign_id, building_id))


async def nominations(conn: asyncpg.Connection, campaign_id: str, keyset: Keyset) -> list[Nomination]:
    params: list[Any] = [campaign_id]
    condition, order = keyset_sql(keyset, "n", params)
    return models(Nomination, await conn.fetch(
        f"SELECT n.* FROM campaign_nominations n WHERE n.campaign_id = $1 AND {condition} {order}", *params))


async def nominated_buildings(conn: asyncpg.Connection, campaign_id: str) -> list[str]:
    return [r["building_id"] for r in await conn.fetch(
        "SELECT building_id FROM campaign_nominations WHERE campaign_id = $1 ORDER BY building_id", campaign_id)]


# Self-assessments and issues

async def put_assessment(conn: asyncpg.Connection, campaign_id: str, building_id: str, key: str, text: str,
                         media_ids: list[str], author_id: str | None) -> None:
    await conn.execute(
        """INSERT INTO campaign_assessments (campaign_id, building_id, criterion_key, text, media_ids, author_id)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (campaign_id, building_id, criterion_key) DO UPDATE
              SET text = EXCLUDED.text, media_ids = EXCLUDED.media_ids, author_id = EXCLUDED.author_id,
                  updated_at = clock_timestamp()""", campaign_id, building_id, key, text, media_ids, author_id)


async def delete_assessments_except(conn: asyncpg.Connection, campaign_id: str, building_id: str,
                                    keys: list[str]) -> None:
    await conn.execute(
        """DELETE FROM campaign_assessments WHERE campaign_id = $1 AND building_id = $2
              AND NOT criterion_key = ANY($3::text[])""", campaign_id, building_id, keys)


async def assessments(conn: asyncpg.Connection, campaign_id: str, building_id: str) -> list[Assessment]:
    return models(Assessment, await conn.fetch(
        """SELECT * FROM campaign_assessments WHERE campaign_id = $1 AND building_id = $2
            ORDER BY criterion_key""", campaign_id, building_id))


async def issues(conn: asyncpg.Connection, campaign_id: str, building_id: str, *, lock: bool = False) -> list[Issue]:
    suffix = " FOR UPDATE" if lock else ""
    return models(Issue, await conn.fetch(
        f"""SELECT * FROM campaign_issues WHERE campaign_id = $1 AND building_id = $2
             ORDER BY created_at, id{suffix}""", campaign_id, building_id))


async def insert_issue(conn: asyncpg.Connection, campaign_id: str, building_id: str, key: str, text: str,
                       author_id: str | None) -> None:
    await conn.execute(
        """INSERT INTO campaign_issues (id, campaign_id, building_id, criterion_key, text, author_id)
           VALUES ($1, $2, $3, $4, $5, $6)""", new_id("campaign_issue"), campaign_id, building_id, key, text,
        author_id)


async def change_issue(conn: asyncpg.Connection, issue_id: str, key: str, text: str, author_id: str | None) -> None:
    await conn.execute(
        """UPDATE campaign_issues SET criterion_key = $2, text = $3, author_id = $4, updated_at = clock_timestamp()
            WHERE id = $1 AND (criterion_key, text) IS DISTINCT FROM ($2, $3)""", issue_id, key, text, author_id)


async def delete_issues(conn: asyncpg.Connection, issue_ids: list[str]) -> None:
    await conn.execute("DELETE FROM campaign_issues WHERE id = ANY($1::text[]) AND task_id IS NULL", issue_ids)


async def issue(conn: asyncpg.Connection, campaign_id: str, building_id: str, issue_id: str) -> Issue | None:
    return model(Issue, await conn.fetchrow(
        """SELECT * FROM campaign_issues WHERE id = $1 AND campaign_id = $2 AND building_id = $3 FOR UPDATE""",
        issue_id, campaign_id, building_id))


async def link_task(conn: asyncpg.Connection, issue_id: str, task_id: str) -> Issue:
    return one(Issue, await conn.fetchrow(
        "UPDATE campaign_issues SET task_id = $2, updated_at = clock_timestamp() WHERE id = $1 RETURNING *",
        issue_id, task_id))


# Raters and score sheets

async def add_rater(conn: asyncpg.Connection, campaign_id: str, person_id: str, kind: str,
                    added_by: str | None) -> Rater | None:
    return model(Rater, await conn.fetchrow(
        """INSERT INTO campaign_raters (id, campaign_id, person_id, kind, added_by) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (campaign_id, person_id) DO NOTHING RETURNING *""",
        new_id("campaign_rater"), campaign_id, person_id, kind, added_by))


async def remove_rater(conn: asyncpg.Connection, campaign_id: str, person_id: str) -> Rater | None:
    """The rater and their sheets removed (None when the person was no rater)."""
    await conn.execute("DELETE FROM campaign_scores WHERE campaign_id = $1 AND person_id = $2", campaign_id, person_id)
    return model(Rater, await conn.fetchrow(
        "DELETE FROM campaign_raters WHERE campaign_id = $1 AND person_id = $2 RETURNING *", campaign_id, person_id))


async def is_rater(conn: asyncpg.Connection, campaign_id: str, person_id: str | None) -> bool:
    if person_id is None:
        return False
    return await conn.fetchval("SELECT 1 FROM campaign_raters WHERE campaign_id = $1 AND person_id = $2",
                               campaign_id, person_id) is not None


async def raters(conn: asyncpg.Connection, campaign_id: str, keyset: Keyset) -> list[Rater]:
    params: list[Any] = [campaign_id]
    condition, order = keyset_sql(keyset, "r", params)
    return models(Rater, await conn.fetch(
        f"SELECT r.* FROM campaign_raters r WHERE r.campaign_id = $1 AND {condition} {order}", *params))


async def put_score(conn: asyncpg.Connection, campaign_id: str, building_id: str, person_id: str,
                    scores: dict[str, int]) -> tuple[Score, bool]:
    """The rater's sheet for the building, written or replaced; True when it is new."""
    row = await conn.fetchrow(
        """INSERT INTO campaign_scores (id, campaign_id, building_id, person_id, scores) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (campaign_id, building_id, person_id) DO UPDATE
              SET scores = EXCLUDED.scores,
                  updated_at = CASE WHEN campaign_scores.scores = EXCLUDED.scores THEN campaign_scores.updated_at
                                    ELSE clock_timestamp() END
           RETURNING *, (xmax = 0) AS inserted""",
        new_id("campaign_score"), campaign_id, building_id, person_id, scores)
    return one(Score, row), row["inserted"]


async def score_of(conn: asyncpg.Connection, campaign_id: str, building_id: str, person_id: str) -> Score | None:
    return model(Score, await conn.fetchrow(
        "SELECT * FROM campaign_scores WHERE campaign_id = $1 AND building_id = $2 AND person_id = $3",
        campaign_id, building_id, person_id))


async def scores_of_rater(conn: asyncpg.Connection, campaign_id: str, person_id: str, keyset: Keyset) -> list[Score]:
    params: list[Any] = [campaign_id, person_id]
    condition, order = keyset_sql(keyset, "s", params)
    return models(Score, await conn.fetch(
        f"SELECT s.* FROM campaign_scores s WHERE s.campaign_id = $1 AND s.person_id = $2 AND {condition} {order}",
        *params))


async def sheets(conn: asyncpg.Connection, campaign_id: str) -> dict[str, list[dict[str, int]]]:
    """Every nominated building's score sheets (anonymous: the scores only)."""
    found: dict[str, list[dict[str, int]]] = {b: [] for b in await nominated_buildings(conn, campaign_id)}
    for row in await conn.fetch("SELECT building_id, scores FROM campaign_scores WHERE campaign_id = $1",
                                campaign_id):
        found[row["building_id"]].append({k: int(v) for k, v in row["scores"].items()})
    return found


# Results

async def save_results(conn: asyncpg.Connection, campaign_id: str, standings: list[Standing]) -> None:
    await conn.executemany(
        """INSERT INTO campaign_results (campaign_id, building_id, score, rank, raters, means, winner)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (campaign_id, building_id) DO NOTHING""",
        [(campaign_id, s.building_id, None if s.score is None else decimal_2(s.score), s.rank, s.raters,
          {k: decimal_2(v) for k, v in s.means.items()}, s.winner) for s in standings])


async def results(conn: asyncpg.Connection, campaign_id: str) -> list[Result]:
    """The published results with each building's name, best first (unrated last)."""
    return models(Result, await conn.fetch(
        """SELECT r.building_id, b.name AS building_name, r.score, r.rank, r.raters, r.means, r.winner
             FROM campaign_results r JOIN buildings b ON b.id = r.building_id
            WHERE r.campaign_id = $1 ORDER BY r.rank NULLS LAST, r.raters DESC, r.building_id""", campaign_id))


async def heads_of_households(conn: asyncpg.Connection, building_ids: list[str]) -> list[tuple[str, str]]:
    """(household id, person id) of the live head of each household of the buildings."""
    return [(r["household_id"], r["person_id"]) for r in await conn.fetch(
        """SELECT m.household_id, m.person_id FROM memberships m JOIN households h ON h.id = m.household_id
            WHERE h.building_id = ANY($1::text[]) AND m.head AND m.left_at IS NULL
            ORDER BY m.household_id""", building_ids)]
