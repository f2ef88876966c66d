"""What household invites and role invites share: the one-time code, shown once and kept
only as a digest, and its lifetime on the real clock (an expiry is security time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from domain.codes import new_code, normalize_code
from usecases.crypto import digest

INVITE_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class NewCode:
    code: str  # for the caller, once
    digest: bytes  # for the database
    expires_at: datetime


def issue_code() -> NewCode:
    code = new_code()
    return NewCode(code, digest(normalize_code(code)), datetime.now(UTC) + INVITE_LIFETIME)


def digest_of(typed_code: str) -> bytes | None:
    """The digest to look a typed code up by, or None when it cannot be a code at all."""
    normalized = normalize_code(typed_code)
    return digest(normalized) if normalized else None
