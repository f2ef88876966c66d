"""Questions (问) to a community, their answers by staff, closing them; the FAQ."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.business_time import business_clock
from api.conventions.etags import check_if_match, resource_response
from api.conventions.openapi import READ, WRITE, problems
from api.conventions.paging import Page, page_of
from api.routes.common import BEARER, known_id
from api.schemas.common import command_of
from api.schemas.questions import (
    Answer,
    AnswerCreate,
    Question,
    QuestionCreate,
    QuestionStatus,
    QuestionTransition,
    answer_view,
    question_view,
)
from api.services import services_of
from domain import questions as domain
from domain.permissions import Principal
from store.paging import Keyset
from usecases import questions


class QuestionController(Controller):
    path = "/v1"
    tags = ["questions"]
    security = BEARER

    @get("/communities/{community_id:str}/questions", operation_id="listCommunityQuestions",
         summary="A community's questions (the FAQ: status=answered&public=true, or faq=true)",
         responses=problems(READ))
    async def list_questions(
        self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset, community_id: str,
        status: Annotated[QuestionStatus | None, Parameter(query="status")] = None,
        public: Annotated[bool | None, Parameter(query="public")] = None,
        faq: Annotated[bool, Parameter(query="faq", description=(
            "Public questions that have an answer, answered or closed since."))] = False,
    ) -> Page[Question]:
        """Private questions are listed for their asker and the community's staff only."""
        found = await questions.list_for_community(conn, principal, known_id("community", community_id), keyset,
                                                   status=status, public=public, faq=faq)
        return page_of(found, keyset, lambda q: question_view(q, principal.person_id))

    @post("/communities/{community_id:str}/questions", operation_id="askQuestion",
          summary="Ask the community a question", responses=problems(WRITE))
    async def ask(self, request: Request, tx: asyncpg.Connection, principal: Principal, community_id: str,
                  data: QuestionCreate) -> Response[Question]:
        now = await business_clock(request).now(tx)
        found = await questions.ask(tx, principal, known_id("community", community_id),
                                    command_of(data, questions.Ask), now, services_of(request).content)
        return resource_response(request, question_view(found, principal.person_id), 201,
                                 headers={"Location": f"/v1/questions/{found.id}"})

    @get("/questions/{question_id:str}", operation_id="getQuestion", summary="Read a question",
         responses=problems(READ))
    async def get_question(self, request: Request, conn: asyncpg.Connection, principal: Principal,
                           question_id: str) -> Response[Question]:
        found = await questions.get(conn, principal, known_id("question", question_id))
        return resource_response(request, question_view(found, principal.person_id))

    @post("/questions/{question_id:str}/answers", operation_id="answerQuestion",
          summary="Answer a question (the community's staff)", responses=problems(WRITE))
    async def answer(self, request: Request, tx: asyncpg.Connection, principal: Principal, question_id: str,
                     data: AnswerCreate) -> Response[Answer]:
        now = await business_clock(request).now(tx)
        found = await questions.answer(tx, principal, known_id("question", question_id),
                                       command_of(data, questions.NewAnswer), now, services_of(request).content)
        return resource_response(request, answer_view(found), 201)

    @get("/questions/{question_id:str}/answers", operation_id="listQuestionAnswers",
         summary="A question's answers", responses=problems(READ))
    async def list_answers(self, conn: asyncpg.Connection, principal: Principal, keyset: Keyset,
                           question_id: str) -> Page[Answer]:
        found = await questions.answers(conn, principal, known_id("question", question_id), keyset)
        return page_of(found, keyset, answer_view)

    @post("/questions/{question_id:str}/transitions", operation_id="transitionQuestion",
          summary="Close a question (its asker, accepting an answer; or staff)", responses=problems(WRITE),
          status_code=200)
    async def transition(self, request: Request, tx: asyncpg.Connection, principal: Principal, question_id: str,
                         data: QuestionTransition) -> Response[Question]:
        def precondition(current: domain.Question) -> None:
            check_if_match(request, question_view(current, principal.person_id))

        now = await business_clock(request).now(tx)
        found = await questions.transition(tx, principal, known_id("question", question_id),
                                           command_of(data, questions.MoveQuestion), precondition, now)
        return resource_response(request, question_view(found, principal.person_id))
