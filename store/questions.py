"""Questions (问) to a community and their answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.ids import new_id
from domain.questions import Answer, Question
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one


async def insert(conn: asyncpg.Connection, *, street_id: str, community_id: str, asker_id: str, title: str,
                 body: str, public: bool, at: datetime) -> Question:
    """``at``: business time (the time to a first answer is measured in it)."""
    return one(Question, await conn.fetchrow(
        """INSERT INTO questions (id, street_id, community_id, asker_id, title, body, public, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *""",
        new_id("question"), street_id, community_id, asker_id, title, body, public, at))


async def get(conn: asyncpg.Connection, street_id: str, question_id: str, *, lock: bool = False) -> Question | None:
    suffix = " FOR UPDATE" if lock else ""
    return model(Question, await conn.fetchrow(
        f"SELECT * FROM questions WHERE id = $1 AND street_id = $2{suffix}", question_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, community_id: str, keyset: Keyset, *,
               status: str | None, public: bool | None, faq: bool, private_for: str | None,
               all_private: bool) -> list[Question]:
    """``all_private``: staff see every question; others the public ones and their own
    (``private_for``). ``faq``: public questions that have an answer (answered or closed)."""
    params: list[Any] = [street_id, community_id]
    filters = ["q.street_id = $1", "q.community_id = $2"]
    if not all_private:
        params.append(private_for)
        filters.append(f"(q.public OR q.asker_id = ${len(params)})")
    if status is not None:
        params.append(status)
        filters.append(f"q.status = ${len(params)}")
    if public is not None:
        params.append(public)
        filters.append(f"q.public = ${len(params)}")
    if faq:
        filters.append("q.public AND q.first_answered_at IS NOT NULL")
    condition, order = keyset_sql(keyset, "q", params)
    return models(Question, await conn.fetch(
        f"SELECT q.* FROM questions q WHERE {' AND '.join(filters)} AND {condition} {order}", *params))


async def add_answer(conn: asyncpg.Connection, question: Question, *, author_type: str, author_id: str, body: str,
                     at: datetime) -> tuple[Answer, Question]:
    answer = one(Answer, await conn.fetchrow(
        """INSERT INTO question_answers (id, question_id, street_id, community_id, author_type, author_id, body,
                                         created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *""",
        new_id("answer"), question.id, question.street_id, question.community_id, author_type, author_id, body, at))
    updated = one(Question, await conn.fetchrow(
        """UPDATE questions SET answers = answers + 1, status = 'answered',
                  first_answered_at = coalesce(first_answered_at, $2), updated_at = clock_timestamp()
            WHERE id = $1 RETURNING *""", question.id, at))
    return answer, updated


async def answer_of(conn: asyncpg.Connection, question_id: str, answer_id: str) -> Answer | None:
    return model(Answer, await conn.fetchrow(
        "SELECT * FROM question_answers WHERE id = $1 AND question_id = $2", answer_id, question_id))


async def answers(conn: asyncpg.Connection, question_id: str, keyset: Keyset) -> list[Answer]:
    params: list[Any] = [question_id]
    condition, order = keyset_sql(keyset, "a", params)
    return models(Answer, await conn.fetch(
        f"SELECT a.* FROM question_answers a WHERE a.question_id = $1 AND {condition} {order}", *params))


async def close(conn: asyncpg.Connection, question_id: str, accepted_answer_id: str | None, at: datetime) -> Question:
    return one(Question, await conn.fetchrow(
        """UPDATE questions SET status = 'closed', accepted_answer_id = $2, closed_at = $3,
                  updated_at = clock_timestamp() WHERE id = $1 RETURNING *""", question_id, accepted_answer_id, at))
