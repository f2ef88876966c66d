"""Wire types of questions (问) and answers, and their views of domain/questions.py's models."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from domain import questions as domain

QuestionStatus = Literal["open", "answered", "closed"]
AnswerRef = id_text("qan_5t7v9x2b4d6f8h1k")


class Question(msgspec.Struct):
    id: Annotated[str, Meta(examples=["qst_5t7v9x2b4d6f8h1k"])]
    community_id: str
    title: str
    body: str
    public: bool
    status: QuestionStatus
    asked_by_me: bool
    answers: int
    accepted_answer_id: str | None
    created_at: Stamp
    updated_at: Stamp
    first_answered_at: Stamp | None
    closed_at: Stamp | None


class QuestionCreate(Input):
    title: text(100, min_length=1, example="电动车可以在楼道充电吗？")  # type: ignore[valid-type]
    body: text(2000, example="楼道里有人给电动车充电，是否允许？") = ""  # type: ignore[valid-type]
    public: bool = True


class Answer(msgspec.Struct):
    id: Annotated[str, Meta(examples=["qan_5t7v9x2b4d6f8h1k"])]
    question_id: str
    body: str
    by_staff: bool
    created_at: Stamp
    updated_at: Stamp


class AnswerCreate(Input):
    body: text(2000, min_length=1, example="不允许。请到小区集中充电棚充电。")  # type: ignore[valid-type]


class QuestionTransition(Input):
    to: QuestionStatus  # only `closed` is a move a caller makes; the others are 409
    accepted_answer_id: AnswerRef | None = None  # type: ignore[valid-type]


def question_view(question: domain.Question, me: str | None) -> Question:
    q = question
    return Question(id=q.id, community_id=q.community_id, title=q.title, body=q.body, public=q.public, status=q.status,
                    asked_by_me=me is not None and q.asker_id == me, answers=q.answers,
                    accepted_answer_id=q.accepted_answer_id, created_at=q.created_at, updated_at=q.updated_at,
                    first_answered_at=q.first_answered_at, closed_at=q.closed_at)


def answer_view(answer: domain.Answer) -> Answer:
    return Answer(id=answer.id, question_id=answer.question_id, body=answer.body, by_staff=True,
                  created_at=answer.created_at, updated_at=answer.updated_at)
