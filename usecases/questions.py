"""Questions (问): people of a community ask (public, or private to them and the staff), the
community's staff answer (the first answer moves the question to answered and keeps
``first_answered_at``), the asker closes it accepting an answer. Public questions with an
answer are the FAQ. Rules: domain/questions.py; choices: docs/announcements.md."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
import msgspec

from domain import questions as rules
from domain.errors import Conflict, RuleViolation
from domain.permissions import Actor, Principal, ensure_for
from domain.questions import Answer, Question
from store import questions as store
from store.paging import Keyset
from usecases import places
from usecases.actors import actor_for
from usecases.kernel import actor_ref, person_of, record_event, visible_or_404
from usecases.moderation import ContentChecker


class Ask(msgspec.Struct, kw_only=True):
    title: str
    body: str
    public: bool = True


class NewAnswer(msgspec.Struct, kw_only=True):
    body: str


class MoveQuestion(msgspec.Struct, kw_only=True):
    to: str
    accepted_answer_id: str | None = None


async def visible_question(conn: asyncpg.Connection, actor: Actor, question_id: str, *,
                           lock: bool = False) -> Question:
    found = await store.get(conn, actor.principal.street_id, question_id, lock=lock)
    return visible_or_404(found, lambda q: rules.may_see(actor, q))


async def get(conn: asyncpg.Connection, who: Principal, question_id: str) -> Question:
    return await visible_question(conn, await actor_for(conn, who), question_id)


async def list_for_community(conn: asyncpg.Connection, who: Principal, community_id: str, keyset: Keyset, *,
                             status: str | None, public: bool | None, faq: bool) -> list[Question]:
    actor = await actor_for(conn, who)
    place = places.community_place(await places.visible_community(conn, actor, community_id))
    return await store.page(conn, who.street_id, community_id, keyset, status=status, public=public, faq=faq,
                            private_for=actor.person_id, all_private=actor.staff_of(place, write=False))


async def ask(conn: asyncpg.Connection, who: Principal, community_id: str, command: Ask, now: datetime,
              checker: ContentChecker | None = None) -> Question:
    actor = await actor_for(conn, who)
    place = places.community_place(await places.visible_community(conn, actor, community_id))
    person = person_of(actor)
    ensure_for(actor, rules.may_ask(actor, place))
    if checker is not None:
        await checker.check_now(conn, who, [command.title, command.body], "question")
    question = await store.insert(conn, street_id=place.street_id, community_id=community_id, asker_id=person,
                                  title=command.title, body=command.body, public=command.public, at=now)
    await record_event(conn, "question.created", "question", question, {"public": question.public,
                                                                         "status": question.status})
    return question


async def answer(conn: asyncpg.Connection, who: Principal, question_id: str, command: NewAnswer, now: datetime,
                 checker: ContentChecker | None = None) -> Answer:
    """Community staff (and above) answer; a closed question takes no more answers."""
    actor = await actor_for(conn, who)
    question = await visible_question(conn, actor, question_id, lock=True)
    ensure_for(actor, rules.is_staff(actor, question))
    to = rules.answered(question.status)
    if checker is not None:
        await checker.check_now(conn, who, [command.body], "question")
    kind, ref = actor_ref(actor)
    found, updated = await store.add_answer(conn, question, author_type=kind, author_id=ref or "", body=command.body,
                                            at=now)
    await record_event(conn, "question.answered", "question", updated, {
        "answer_id": found.id, "from": question.status, "to": to})
    return found


async def answers(conn: asyncpg.Connection, who: Principal, question_id: str, keyset: Keyset) -> list[Answer]:
    actor = await actor_for(conn, who)
    question = await visible_question(conn, actor, question_id)
    return await store.answers(conn, question.id, keyset)


async def transition(conn: asyncpg.Connection, who: Principal, question_id: str, command: MoveQuestion,
                     precondition: Callable[[Question], None], now: datetime) -> Question:
    """Close: the asker (naming the answer they accept, or none) or staff (accepting none)."""
    actor = await actor_for(conn, who)
    question = await visible_question(conn, actor, question_id, lock=True)
    precondition(question)
    asker = rules.is_asker(actor, question)
    ensure_for(actor, asker or rules.is_staff(actor, question))
    if command.to != "closed":
        raise Conflict("wrong_question_status", {"status": question.status, "to": command.to})
    to = rules.close(question.status)
    accepted = command.accepted_answer_id
    if accepted is not None:
        ensure_for(actor, asker)
        if await store.answer_of(conn, question.id, accepted) is None:
            raise RuleViolation("invalid_accepted_answer")
    closed = await store.close(conn, question.id, accepted, now)
    kind, ref = actor_ref(actor)
    await record_event(conn, "question.closed", "question", closed, {
        "accepted_answer_id": accepted, "from": question.status, "to": to, "by": {"type": kind, "id": ref}})
    return closed
