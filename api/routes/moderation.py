"""``POST /v1/moderation/{type}/{id}/approve`` and ``…/reject``: a leader decides on text that
WeChat's content check held back (docs/moderation.md)."""

from __future__ import annotations

from typing import Literal

import asyncpg
from litestar import Controller, post

from api.conventions.openapi import WRITE, problems
from api.routes.common import BEARER
from api.schemas.moderation import Moderated
from domain.errors import NotFound
from domain.moderation import TYPES
from domain.permissions import Principal
from usecases import moderation


async def _decide(tx: asyncpg.Connection, principal: Principal, subject_type: str, subject_id: str,
                  decision: Literal["approved", "rejected"]) -> Moderated:
    if subject_type not in TYPES:
        raise NotFound("not_found")
    found = await moderation.decide(tx, principal, subject_type, subject_id, decision)
    return Moderated(type=subject_type, id=found.id, moderation=decision)  # type: ignore[arg-type]


class ModerationController(Controller):
    path = "/v1/moderation/{subject_type:str}/{subject_id:str}"
    tags = ["moderation"]  # noqa: RUF012 - litestar reads it as a list
    security = BEARER

    @post("/approve", operation_id="approveModeratedText", status_code=200,
          summary="Approve text held by the content check (leaders)", responses=problems(WRITE))
    async def approve(self, tx: asyncpg.Connection, principal: Principal, subject_type: str,
                      subject_id: str) -> Moderated:
        return await _decide(tx, principal, subject_type, subject_id, "approved")

    @post("/reject", operation_id="rejectModeratedText", status_code=200,
          summary="Reject text held by the content check: hidden from all but its author and the leaders",
          responses=problems(WRITE))
    async def reject(self, tx: asyncpg.Connection, principal: Principal, subject_type: str,
                     subject_id: str) -> Moderated:
        return await _decide(tx, principal, subject_type, subject_id, "rejected")
