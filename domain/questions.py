"""Questions (问) to a community: asked by the people of the community, answered by its staff,
closed by the asker (accepting an answer) or by staff; public answered ones form the FAQ.

```
question: open ─(first answer, staff)─▶ answered ─(asker accepts an answer, or staff)─▶ closed
          open ─(the asker withdraws it, or staff)─▶ closed
```
A refused move is 409 ``wrong_question_status``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.errors import Conflict
from domain.permissions import Actor, Place

STATUSES = ("open", "answered", "closed")


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    street_id: str
    community_id: str
    asker_id: str
    title: str
    body: str
    public: bool
    status: str
    accepted_answer_id: str | None
    answers: int
    first_answered_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def building_id(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Answer:
    id: str
    question_id: str
    street_id: str
    community_id: str
    author_type: str
    author_id: str
    body: str
    created_at: datetime
    updated_at: datetime

    @property
    def building_id(self) -> None:
        return None


def place_of(question: Question) -> Place:
    return Place(question.street_id, community_id=question.community_id)


def is_asker(actor: Actor, question: Question) -> bool:
    return actor.person_id is not None and actor.person_id == question.asker_id


def is_staff(actor: Actor, question: Question, *, write: bool = True) -> bool:
    return actor.staff_of(place_of(question), write=write)


def may_ask(actor: Actor, place: Place) -> bool:
    """A person who sees the community (its residents, the leaders of its buildings, staff)."""
    return actor.person_id is not None and actor.sees(place)


def may_see(actor: Actor, question: Question) -> bool:
    """A public question: whoever sees the community; a private one: its asker and staff."""
    if is_asker(actor, question) or is_staff(actor, question, write=False):
        return True
    return question.public and actor.sees(place_of(question))


def answered(status: str) -> str:
    """The status after an answer: the first one moves an open question to answered."""
    if status == "closed":
        raise Conflict("wrong_question_status", {"status": status})
    return "answered"


def close(status: str) -> str:
    if status == "closed":
        raise Conflict("wrong_question_status", {"status": status})
    return "closed"
