"""A street's settings (积分细则) and the points' leaderboards, in SQL. The points themselves
are on the ledger (store/ledger.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.points import DEFAULT_SETTINGS, EARNING, LEDGER, Standing, StreetSettings
from store.rows import model, models, one, set_clause

SETTINGS = ("points_expiry", "points_expiry_grace_days", "award_cap_per_leader_per_day", "max_points_per_attendee",
            "fund_two_approvers", "fund_street_signoff_above_fen", "fund_publicity_days", "extra_talent_tags")


async def settings(conn: asyncpg.Connection, street_id: str, *, lock: bool = False) -> StreetSettings:
    """The street's settings. A street that never set any has the defaults: read as such
    (stamped with the street's creation), and made a row when they are locked to change."""
    if lock:
        # stamped as the defaults read before, so an If-Match taken from them still matches
        await conn.execute("INSERT INTO street_settings (street_id, created_at, updated_at) "
                           "SELECT id, created_at, created_at FROM streets WHERE id = $1 ON CONFLICT DO NOTHING",
                           street_id)
        return one(StreetSettings, await conn.fetchrow(
            "SELECT * FROM street_settings WHERE street_id = $1 FOR UPDATE", street_id))
    found = model(StreetSettings, await conn.fetchrow("SELECT * FROM street_settings WHERE street_id = $1",
                                                      street_id))
    if found is not None:
        return found
    created = await conn.fetchval("SELECT created_at FROM streets WHERE id = $1", street_id)
    return StreetSettings(street_id=street_id, **DEFAULT_SETTINGS, created_at=created, updated_at=created)


async def change_settings(conn: asyncpg.Connection, street_id: str, changes: dict[str, Any]) -> StreetSettings:
    params: list[Any] = [street_id]
    assignments = set_clause(changes, SETTINGS, params)
    return one(StreetSettings, await conn.fetchrow(
        f"UPDATE street_settings SET {assignments} WHERE street_id = $1 RETURNING *", *params))


async def timezone_of(conn: asyncpg.Connection, street_id: str) -> str:
    return await conn.fetchval("SELECT timezone FROM streets WHERE id = $1", street_id)


async def leaderboard(conn: asyncpg.Connection, street_id: str, building_id: str, since: datetime | None,
                      limit: int) -> list[Standing]:
    """The building's live residents who opted in, by points earned (posted) since ``since``."""
    rows = await conn.fetch(
        """WITH residents AS (
               SELECT DISTINCT m.person_id FROM memberships m
                WHERE m.street_id = $1 AND m.building_id = $2 AND m.left_at IS NULL)
           SELECT p.id AS person_id, p.real_name, p.nickname, sum(t.amount)::bigint AS points,
                  rank() OVER (ORDER BY sum(t.amount) DESC)::int AS rank
             FROM residents r
             JOIN persons p ON p.id = r.person_id AND p.show_on_leaderboard AND p.erased_at IS NULL
             JOIN ledger_accounts a ON a.street_id = $1 AND a.ledger = $3 AND a.kind = 'person' AND a.owner_id = p.id
             JOIN ledger_transfers t ON t.credit_account_id = a.id AND t.status = 'posted'
                                    AND t.reason = ANY($4::text[]) AND ($5::timestamptz IS NULL OR t.created_at >= $5)
            GROUP BY p.id, p.real_name, p.nickname
            ORDER BY points DESC, p.id
            LIMIT $6""",
        street_id, building_id, LEDGER, sorted(EARNING), since, limit)
    return models(Standing, rows)


async def persons_with_accounts(conn: asyncpg.Connection, street_id: str) -> list[str]:
    return [r["owner_id"] for r in await conn.fetch(
        "SELECT owner_id FROM ledger_accounts WHERE street_id = $1 AND ledger = $2 AND kind = 'person' "
        "AND balance - held > 0 ORDER BY owner_id", street_id, LEDGER)]
