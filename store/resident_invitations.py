"""Resident invitations of the ``residents`` import kind (written in bulk by store/imports.py):
found by the digest of a verified phone number, marked redeemed, and deleted when they expire
unredeemed."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.imports import ResidentInvitation
from store.rows import models


async def claim_open(conn: asyncpg.Connection, street_id: str, phone_digest: bytes,
                     now: datetime) -> list[ResidentInvitation]:
    """The open invitations for this number in the street, locked until the transaction ends
    (two verifications of one number at once redeem each invitation once)."""
    return models(ResidentInvitation, await conn.fetch(
        """SELECT id, street_id, household_id, role, head FROM resident_invitations
           WHERE street_id = $1 AND phone_digest = $2 AND redeemed_at IS NULL AND expires_at > $3
           ORDER BY created_at, id FOR UPDATE""", street_id, phone_digest, now))


async def mark_redeemed(conn: asyncpg.Connection, invitation_id: str, person_id: str, now: datetime) -> None:
    await conn.execute(
        """UPDATE resident_invitations SET redeemed_at = $3, person_id = $2, updated_at = clock_timestamp()
           WHERE id = $1""", invitation_id, person_id, now)


async def delete_expired(conn: asyncpg.Connection, now: datetime, limit: int) -> int:
    """Delete up to ``limit`` invitations whose time ran out unredeemed; how many went."""
    status = await conn.execute(
        """DELETE FROM resident_invitations WHERE id IN (
               SELECT id FROM resident_invitations WHERE redeemed_at IS NULL AND expires_at <= $1
               ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)""", now, limit)
    return int(status.split()[-1])
