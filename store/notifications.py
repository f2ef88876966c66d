"""Subscription messages: a client's template mapping, the local counts of accepts, the
notifications (one row per notification and person) and the fold's place in the event feed.

The fold reads the facts a message shows (a report's category, a building's or space's
name, a task's title) straight from their tables: read-only, and only what a message needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.ids import new_id
from domain.notifications import MessageTemplates, Notice, Notification, Route
from store.paging import Keyset, keyset_sql
from store.rows import model, models

# Templates and counts


async def put_templates(conn: asyncpg.Connection, *, client_id: str, street_id: str, miniprogram_state: str,
                        templates: dict[str, Any]) -> MessageTemplates:
    return model(MessageTemplates, await conn.fetchrow(
        """INSERT INTO message_templates (client_id, street_id, miniprogram_state, templates)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (client_id) DO UPDATE SET miniprogram_state = EXCLUDED.miniprogram_state,
                  templates = EXCLUDED.templates, updated_at = clock_timestamp()
           RETURNING *""", client_id, street_id, miniprogram_state, templates))


async def get_templates(conn: asyncpg.Connection, client_id: str) -> MessageTemplates | None:
    return model(MessageTemplates, await conn.fetchrow("SELECT * FROM message_templates WHERE client_id = $1",
                                                       client_id))


async def add_accepts(conn: asyncpg.Connection, client_id: str, person_id: str, template_ids: list[str]) -> None:
    """One more for each accepted template (a template named twice counts once: one answer)."""
    await conn.execute(
        """INSERT INTO subscription_counts (client_id, person_id, template_id, remaining)
           SELECT $1, $2, t, 1 FROM unnest($3::text[]) t
           ON CONFLICT (client_id, person_id, template_id)
           DO UPDATE SET remaining = subscription_counts.remaining + 1, updated_at = clock_timestamp()""",
        client_id, person_id, sorted(set(template_ids)))


async def counts(conn: asyncpg.Connection, client_id: str, person_id: str) -> dict[str, int]:
    rows = await conn.fetch("SELECT template_id, remaining FROM subscription_counts "
                            "WHERE client_id = $1 AND person_id = $2", client_id, person_id)
    return {r["template_id"]: r["remaining"] for r in rows}


async def use_one(conn: asyncpg.Connection, client_id: str, person_id: str, template_id: str, *,
                  zero: bool = False) -> None:
    await conn.execute(
        f"""UPDATE subscription_counts SET remaining = {'0' if zero else 'greatest(remaining - 1, 0)'},
                   updated_at = clock_timestamp()
            WHERE client_id = $1 AND person_id = $2 AND template_id = $3""", client_id, person_id, template_id)


# The fold


async def lock_fold(conn: asyncpg.Connection) -> int | None:
    """In a transaction: the last folded feed position, or None when another fold runs."""
    return await conn.fetchval("SELECT last_position FROM notification_fold FOR UPDATE SKIP LOCKED")


async def events_after(conn: asyncpg.Connection, position: int, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT id, type, street_id, subject_type, subject_id, data, occurred_at, position FROM events
           WHERE position > $1 ORDER BY position LIMIT $2""", position, limit)


async def folded(conn: asyncpg.Connection, position: int) -> None:
    await conn.execute("UPDATE notification_fold SET last_position = $1", position)


async def report_facts(conn: asyncpg.Connection, report_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT r.reporter_id, r.category, b.name AS building, c.name AS community, s.timezone
           FROM reports r JOIN buildings b ON b.id = r.building_id JOIN communities c ON c.id = r.community_id
           JOIN streets s ON s.id = r.street_id WHERE r.id = $1""", report_id)


async def question_facts(conn: asyncpg.Connection, question_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT q.asker_id, q.title, c.name AS community, s.timezone
           FROM questions q JOIN communities c ON c.id = q.community_id JOIN streets s ON s.id = q.street_id
           WHERE q.id = $1""", question_id)


async def task_facts(conn: asyncpg.Connection, task_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT t.title, t.status, t.assignee_type, t.assignee_id, t.due_at, b.name AS building,
                  c.name AS community, s.timezone
           FROM tasks t LEFT JOIN buildings b ON b.id = t.building_id LEFT JOIN communities c ON c.id = t.community_id
           JOIN streets s ON s.id = t.street_id WHERE t.id = $1""", task_id)


async def space_facts(conn: asyncpg.Connection, space_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT sp.name, sp.timezone, c.name AS community, b.name AS building FROM spaces sp
           JOIN communities c ON c.id = sp.community_id LEFT JOIN buildings b ON b.id = sp.building_id
           WHERE sp.id = $1""", space_id)


async def vote_facts(conn: asyncpg.Connection, proposal_id: str) -> tuple[asyncpg.Record | None, list[str]]:
    """The proposal's title, the vote's close and the persons of its frozen electorate."""
    facts = await conn.fetchrow(
        """SELECT p.title, v.id AS vote_id, v.closes_at, b.name AS building, c.name AS community, s.timezone
           FROM proposals p JOIN votes v ON v.subject_type = 'proposal' AND v.subject_id = p.id
           LEFT JOIN buildings b ON b.id = p.building_id LEFT JOIN communities c ON c.id = p.community_id
           JOIN streets s ON s.id = p.street_id WHERE p.id = $1""", proposal_id)
    if facts is None:
        return None, []
    voters = await conn.fetch("SELECT DISTINCT person_id FROM vote_voters WHERE vote_id = $1 ORDER BY person_id",
                              facts["vote_id"])
    return facts, [r["person_id"] for r in voters]


async def insert(conn: asyncpg.Connection, *, street_id: str, origin: str, notice: Notice, timezone: str,
                 now: datetime) -> None:
    """Once per (origin, kind, person): folding the same event again adds nothing."""
    await conn.execute(
        """INSERT INTO notifications (id, street_id, person_id, kind, subject_type, subject_id, origin, facts,
                                      timezone, due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (origin, kind, person_id) DO NOTHING""",
        new_id("notification"), street_id, notice.person_id, notice.kind, notice.subject_type, notice.subject_id,
        origin, notice.facts, timezone, notice.due_at or now)


async def cancel_queued(conn: asyncpg.Connection, kind: str, subject_type: str, subject_id: str) -> None:
    await conn.execute(
        """UPDATE notifications SET status = 'skipped', outcome = 'cancelled', facts = '{}',
                  updated_at = clock_timestamp()
           WHERE kind = $1 AND subject_type = $2 AND subject_id = $3 AND status = 'queued'""",
        kind, subject_type, subject_id)


# Sending


async def claim_due(conn: asyncpg.Connection, now: datetime) -> Notification | None:
    return model(Notification, await conn.fetchrow(
        """SELECT * FROM notifications WHERE status = 'queued' AND due_at <= $1
           ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED""", now))


async def abandon_stale_sending(conn: asyncpg.Connection, seconds: float) -> list[asyncpg.Record]:
    """Rows left ``sending`` for over ``seconds`` (by the database's clock, like their claim's
    ``updated_at``) become ``unknown`` (``timeout``); the ones changed, for their counts."""
    return await conn.fetch(
        """UPDATE notifications SET status = 'unknown', outcome = 'timeout', facts = '{}',
                  updated_at = clock_timestamp()
           WHERE id IN (SELECT id FROM notifications
                        WHERE status = 'sending' AND updated_at < clock_timestamp() - make_interval(secs => $1)
                        ORDER BY updated_at LIMIT 100 FOR UPDATE SKIP LOCKED)
           RETURNING id, client_id, person_id, template_id""", seconds)


async def route(conn: asyncpg.Connection, notification: Notification) -> Route | None:
    """The street's mini-program client that maps the kind and knows the person, the one
    with the most accepts of its template first."""
    return model(Route, await conn.fetchrow(
        """SELECT c.id AS client_id, c.appid, c.app_secret_sealed, w.openid, t.miniprogram_state,
                  t.templates -> $3 AS template, coalesce(sc.remaining, 0) AS remaining
           FROM wechat_identities w
           JOIN clients c ON c.appid = w.appid AND c.kind = 'miniprogram' AND c.disabled_at IS NULL
                         AND c.street_id = $2
           JOIN message_templates t ON t.client_id = c.id AND t.templates ? $3
           LEFT JOIN subscription_counts sc ON sc.client_id = c.id AND sc.person_id = w.person_id
                                            AND sc.template_id = t.templates -> $3 ->> 'template_id'
           WHERE w.person_id = $1
           ORDER BY coalesce(sc.remaining, 0) DESC, c.id LIMIT 1""",
        notification.person_id, notification.street_id, notification.kind))


async def mark(conn: asyncpg.Connection, notification_id: str, *, status: str, outcome: str | None = None,
               errcode: int | None = None, client_id: str | None = None, template_id: str | None = None,
               attempted: bool = False, sent_at: datetime | None = None, due_at: datetime | None = None) -> None:
    """Record a step; the facts (which may quote someone's text) go once the row is final."""
    await conn.execute(
        """UPDATE notifications SET status = $2, outcome = $3, errcode = $4,
                  client_id = coalesce($5, client_id), template_id = coalesce($6, template_id),
                  attempts = attempts + $7::int, sent_at = coalesce($8, sent_at), due_at = coalesce($9, due_at),
                  facts = CASE WHEN $2 IN ('queued', 'sending') THEN facts ELSE '{}' END,
                  updated_at = clock_timestamp()
           WHERE id = $1""",
        notification_id, status, outcome, errcode, client_id, template_id, int(attempted), sent_at, due_at)


async def page_for(conn: asyncpg.Connection, person_id: str, keyset: Keyset) -> list[Notification]:
    params: list[Any] = [person_id]
    condition, order = keyset_sql(keyset, "n", params)
    return models(Notification, await conn.fetch(
        f"SELECT n.* FROM notifications n WHERE n.person_id = $1 AND {condition} {order}", *params))
