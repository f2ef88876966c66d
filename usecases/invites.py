"""The one invite-code mechanism of households, roles and organisation members: a one-time
code, shown once and kept only as a digest, with its lifetime on the real clock (an expiry
is security time), redeemed once and never by whoever issued it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import asyncpg

from domain.codes import new_code, normalize_code
from domain.errors import RuleViolation
from domain.permissions import may_redeem_invite
from store import invites, resident_invitations
from store.invites import Invite
from usecases.crypto import digest

INVITE_LIFETIME = timedelta(days=7)
R = TypeVar("R")


async def issue(conn: asyncpg.Connection, kind: type[Invite], *, street_id: str, issued_by: str,
                terms: dict[str, Any]) -> tuple[Invite, str]:
    """A new invite of ``kind`` and its code (for the caller, once: only its digest is kept)."""
    code = new_code()
    invite = await invites.insert(conn, kind, street_id=street_id, code_digest=digest(normalize_code(code)),
                                  created_by=issued_by, expires_at=datetime.now(UTC) + INVITE_LIFETIME,
                                  terms=terms)
    return invite, code


async def redeem(conn: asyncpg.Connection, kind: type[Invite], *, street_id: str, person_id: str,
                 typed_code: str, apply: Callable[[Invite], Awaitable[R]]) -> R:
    """Redeem a typed code once: ``apply`` gives what the invite's terms say, and the invite
    is used up in the same transaction. 422 ``invalid_invite`` for an unknown, used or
    expired code; 422 ``own_invite`` for its issuer."""
    normalized = normalize_code(typed_code)
    invite = await invites.claim(conn, kind, digest(normalized), street_id) if normalized else None
    if invite is None:
        raise RuleViolation("invalid_invite")
    if not may_redeem_invite(person_id, invite.created_by):
        raise RuleViolation("own_invite")
    result = await apply(invite)
    await invites.mark_used(conn, kind, invite.id, person_id)
    return result


SWEEP_BATCH = 5000


async def sweep_resident_invitations(conn: asyncpg.Connection, now: datetime) -> int:
    """Delete one batch of resident invitations (the ``residents`` import kind) not redeemed
    within their 90 days, by business time like the rest of the rules; how many went. The
    worker calls it until none are left (worker/maintenance.py)."""
    return await resident_invitations.delete_expired(conn, now, SWEEP_BATCH)
