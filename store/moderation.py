"""Content safety's rows: the ``moderation`` column of each checked resource and the text that
waits in ``moderation_checks``. Like store/erasure.py it writes across the tables that hold
residents' text, one column each, named in TABLES (never from a client)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from store.rows import model

# type → (table, its text columns in the order they are checked, its author column)
TABLES = {
    "proposal": ("proposals", ("title", "description"), "author_id"),
    "report": ("reports", ("description", "location"), "reporter_id"),
    "comment": ("proposal_comments", ("body",), "author_id"),
}
# Where each lives: a comment lives where its proposal does.
_PLACES = {
    "proposal": ("proposals t", "t"),
    "report": ("reports t", "t"),
    "comment": ("proposal_comments t JOIN proposals p ON p.id = t.proposal_id", "p"),
}


@dataclass(frozen=True, slots=True)
class Moderated:
    """A checked thing as moderation needs it: where it lives, who wrote it, how it fared."""

    id: str
    street_id: str
    community_id: str | None
    building_id: str | None
    author_id: str
    moderation: str


@dataclass(frozen=True, slots=True)
class Recheck:
    subject_type: str
    subject_id: str
    street_id: str
    client_id: str
    person_id: str
    scene: int
    attempts: int


async def set_state(conn: asyncpg.Connection, subject_type: str, subject_id: str, state: str) -> None:
    table = TABLES[subject_type][0]
    await conn.execute(f"UPDATE {table} SET moderation = $2, updated_at = clock_timestamp() WHERE id = $1",
                       subject_id, state)


async def hold(conn: asyncpg.Connection, subject_type: str, subject_id: str, *, street_id: str, client_id: str,
               person_id: str, scene: int, reason: str, label: int | None,
               next_check_at: datetime | None) -> None:
    """Pending, and waiting in moderation_checks (``next_check_at`` None: a minute from now)."""
    await set_state(conn, subject_type, subject_id, "pending")
    await conn.execute(
        """INSERT INTO moderation_checks (subject_type, subject_id, street_id, client_id, person_id, scene, reason,
                                          label, next_check_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, clock_timestamp() + interval '60 seconds'))
           ON CONFLICT (subject_type, subject_id) DO UPDATE SET client_id = EXCLUDED.client_id,
                  person_id = EXCLUDED.person_id, scene = EXCLUDED.scene, reason = EXCLUDED.reason,
                  label = EXCLUDED.label, next_check_at = EXCLUDED.next_check_at, attempts = 0""",
        subject_type, subject_id, street_id, client_id, person_id, scene, reason, label, next_check_at)


async def settle(conn: asyncpg.Connection, subject_type: str, subject_id: str, state: str) -> None:
    """The thing's final state; nothing waits any more."""
    await set_state(conn, subject_type, subject_id, state)
    await conn.execute("DELETE FROM moderation_checks WHERE subject_type = $1 AND subject_id = $2",
                       subject_type, subject_id)


async def find(conn: asyncpg.Connection, subject_type: str, street_id: str, subject_id: str, *,
               lock: bool = False) -> Moderated | None:
    _, _, author = TABLES[subject_type]
    source, place = _PLACES[subject_type]
    return model(Moderated, await conn.fetchrow(
        f"""SELECT t.id, t.street_id, {place}.community_id, {place}.building_id, t.{author} AS author_id,
                   t.moderation FROM {source}
            WHERE t.id = $1 AND t.street_id = $2 {'FOR UPDATE OF t' if lock else ''}""", subject_id, street_id))


async def text_of(conn: asyncpg.Connection, subject_type: str, subject_id: str) -> list[str]:
    table, columns, _ = TABLES[subject_type]
    row = await conn.fetchrow(f"SELECT {', '.join(columns)} FROM {table} WHERE id = $1", subject_id)
    return [] if row is None else [row[c] or "" for c in columns]


async def claim_recheck(conn: asyncpg.Connection, now: datetime) -> Recheck | None:
    """In a transaction: one text WeChat gave no verdict on, due to be checked again."""
    return model(Recheck, await conn.fetchrow(
        """SELECT subject_type, subject_id, street_id, client_id, person_id, scene, attempts FROM moderation_checks
           WHERE reason = 'no_verdict' AND next_check_at <= $1
           ORDER BY next_check_at LIMIT 1 FOR UPDATE SKIP LOCKED""", now))


async def later(conn: asyncpg.Connection, recheck: Recheck, next_check_at: datetime) -> None:
    await conn.execute("""UPDATE moderation_checks SET next_check_at = $3, attempts = attempts + 1
                          WHERE subject_type = $1 AND subject_id = $2""",
                       recheck.subject_type, recheck.subject_id, next_check_at)


async def openid(conn: asyncpg.Connection, appid: str, person_id: str) -> str | None:
    return await conn.fetchval("SELECT openid FROM wechat_identities WHERE appid = $1 AND person_id = $2 "
                               "ORDER BY created_at LIMIT 1", appid, person_id)
