"""One-time invite codes, kept only as digests: household invites and role invites (an
organisation's member invite is a role invite). Each kind is its own table with the same
life: issued, looked up by digest while unused and unexpired, used once."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from domain.ids import new_id
from domain.people import HouseholdInvite
from domain.roles import RoleInvite
from store.rows import model

Invite = TypeVar("Invite", HouseholdInvite, RoleInvite)

# The table of each kind (names come from here, never from a caller).
_TABLES: dict[type, str] = {HouseholdInvite: "household_invites", RoleInvite: "role_invites"}
_COMMON = ("id", "street_id", "created_by", "expires_at", "created_at")


def _columns(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def _terms(kind: type) -> tuple[str, ...]:
    return tuple(name for name in _columns(kind) if name not in _COMMON)


async def insert(conn: asyncpg.Connection, kind: type[Invite], *, street_id: str, code_digest: bytes,
                 created_by: str, expires_at: datetime, terms: dict[str, Any]) -> Invite:
    names = ("id", "street_id", "code_digest", "created_by", "expires_at", *_terms(kind))
    values = (new_id("invite"), street_id, code_digest, created_by, expires_at,
              *(terms[name] for name in _terms(kind)))
    placeholders = ", ".join(f"${n}" for n in range(1, len(names) + 1))
    return model(kind, await conn.fetchrow(
        f"INSERT INTO {_TABLES[kind]} ({', '.join(names)}) VALUES ({placeholders}) "
        f"RETURNING {', '.join(_columns(kind))}", *values))


async def claim(conn: asyncpg.Connection, kind: type[Invite], code_digest: bytes,
                street_id: str) -> Invite | None:
    """Lock an unused, unexpired invite of the street (an invite's expiry is security time:
    the real clock)."""
    return model(kind, await conn.fetchrow(
        f"""SELECT {', '.join(_columns(kind))} FROM {_TABLES[kind]}
            WHERE code_digest = $1 AND street_id = $2 AND used_at IS NULL AND expires_at > clock_timestamp()
            FOR UPDATE""", code_digest, street_id))


async def mark_used(conn: asyncpg.Connection, kind: type[Invite], invite_id: str, person_id: str) -> None:
    await conn.execute(f"UPDATE {_TABLES[kind]} SET used_at = clock_timestamp(), used_by = $2 WHERE id = $1",
                       invite_id, person_id)
