"""Operator commands: a street and its platform clients are created by the service's own
command, not through the API."""

from __future__ import annotations

import asyncpg

from domain.ids import new_id
from domain.permissions import PLATFORM_SCOPES
from store import clients
from usecases.crypto import digest, new_secret


async def create_platform_client(conn: asyncpg.Connection, *, street_name: str, name: str,
                                 scopes: frozenset[str] = PLATFORM_SCOPES,
                                 client_id: str | None = None, secret: str | None = None
                                 ) -> tuple[str, str, str]:
    """Create the street when new and a platform client for it.
    Returns (street_id, client_id, secret); the secret is stored only as a digest."""
    unknown = scopes - PLATFORM_SCOPES
    if unknown:
        raise ValueError(f"unknown scopes: {sorted(unknown)}")
    async with conn.transaction():
        street_id = await clients.ensure_street(conn, street_name)
        client_id = client_id or new_id("client")
        secret = secret or new_secret("sk_")
        await clients.insert_client(conn, client_id=client_id, street_id=street_id, kind="platform",
                                    name=name, secret_digest=digest(secret), scopes=sorted(scopes))
    return street_id, client_id, secret
