"""A street of one's own for a test: a platform client, its token, and request helpers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from domain.permissions import PLATFORM_SCOPES
from store.db import init_connection
from usecases.operator import create_platform_client


@dataclass
class Platform:
    street_id: str
    client_id: str
    secret: str
    token: str = ""
    scopes: frozenset[str] = field(default_factory=lambda: PLATFORM_SCOPES)

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}


async def new_street_client(database_url: str, *, scopes: frozenset[str] = PLATFORM_SCOPES,
                            street_name: str | None = None) -> Platform:
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    try:
        street_id, client_id, secret = await create_platform_client(
            conn, street_name=street_name or f"测试街道-{uuid.uuid4().hex[:8]}", name="tests",
            scopes=scopes)
    finally:
        await conn.close()
    return Platform(street_id=street_id, client_id=client_id, secret=secret, scopes=scopes)


async def sign_in(client: Any, platform: Platform) -> Platform:
    response = await client.post("/v1/auth/token", json={
        "grant_type": "client_credentials", "client_id": platform.client_id,
        "client_secret": platform.secret})
    assert response.status_code == 200, response.text
    platform.token = response.json()["access_token"]
    return platform
