"""Streets (the tenants) and their API clients."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.clients import Client, MiniProgramCredentials, PlatformCredentials
from domain.ids import new_id
from store.paging import Keyset, keyset_sql
from store.rows import conflict_from, model, models, set_clause


async def ensure_street(conn: asyncpg.Connection, name: str, timezone: str = "Asia/Shanghai") -> str:
    """The id of the street called ``name``, creating it when new (operator command)."""
    return await conn.fetchval(
        """INSERT INTO streets (id, name, timezone) VALUES ($1, $2, $3)
           ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
           RETURNING id""",
        new_id("street"), name, timezone,
    )


async def insert_client(conn: asyncpg.Connection, *, client_id: str, street_id: str, kind: str,
                        name: str, secret_digest: bytes, scopes: list[str]) -> None:
    await conn.execute(
        """INSERT INTO clients (id, street_id, kind, name, secret_digest, scopes)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE
              SET secret_digest = EXCLUDED.secret_digest, scopes = EXCLUDED.scopes,
                  name = EXCLUDED.name, disabled_at = NULL, updated_at = clock_timestamp()""",
        client_id, street_id, kind, name, secret_digest, scopes,
    )


async def get_active_client(conn: asyncpg.Connection, client_id: str) -> PlatformCredentials | None:
    return model(PlatformCredentials, await conn.fetchrow(
        """SELECT id, street_id, kind, secret_digest, scopes FROM clients
           WHERE id = $1 AND disabled_at IS NULL""",
        client_id,
    ))


# Clients as the API shows them: never a secret, its digest or its sealed form.

_UNIQUE = {"clients_appid_key": "duplicate_appid"}
_VIEW = """c.id, c.street_id, c.kind, c.name, c.appid, c.scopes,
    c.app_secret_sealed IS NOT NULL AS app_secret_set, c.disabled_at, c.created_at, c.updated_at"""
_ACTIVE = "c.disabled_at IS NULL"


async def active_with_secret_digests(conn: asyncpg.Connection, digests: list[bytes]) -> list[str]:
    """The ids of the clients that still sign in with one of these secrets."""
    return [row["id"] for row in await conn.fetch(
        "SELECT id FROM clients WHERE disabled_at IS NULL AND secret_digest = ANY($1::bytea[]) ORDER BY id",
        digests)]


async def insert_miniprogram(conn: asyncpg.Connection, *, client_id: str, street_id: str, name: str,
                             appid: str, app_secret_sealed: bytes) -> Client:
    try:
        return model(Client, await conn.fetchrow(
            f"""INSERT INTO clients AS c (id, street_id, kind, name, appid, app_secret_sealed)
                VALUES ($1, $2, 'miniprogram', $3, $4, $5) RETURNING {_VIEW}""",
            client_id, street_id, name, appid, app_secret_sealed))
    except asyncpg.UniqueViolationError as error:
        raise conflict_from(error, _UNIQUE) from None


async def get(conn: asyncpg.Connection, street_id: str, client_id: str, *, for_update: bool = False,
              disabled_too: bool = False) -> Client | None:
    """An active client of the street (a disabled one too, when asked: DELETE is idempotent)."""
    lock = " FOR UPDATE" if for_update else ""
    active = "TRUE" if disabled_too else _ACTIVE
    return model(Client, await conn.fetchrow(
        f"SELECT {_VIEW} FROM clients c WHERE c.id = $1 AND c.street_id = $2 AND {active}{lock}",
        client_id, street_id))


async def page(conn: asyncpg.Connection, street_id: str, keyset: Keyset) -> list[Client]:
    params: list[Any] = [street_id]
    condition, order = keyset_sql(keyset, "c", params)
    return models(Client, await conn.fetch(
        f"SELECT {_VIEW} FROM clients c WHERE c.street_id = $1 AND {_ACTIVE} AND {condition} {order}", *params))


async def update(conn: asyncpg.Connection, street_id: str, client_id: str,
                 changes: dict[str, Any]) -> Client:
    params: list[Any] = [client_id, street_id]
    assignments = set_clause(changes, ("name", "appid", "app_secret_sealed"), params)
    try:
        return model(Client, await conn.fetchrow(
            f"UPDATE clients AS c SET {assignments} WHERE c.id = $1 AND c.street_id = $2 RETURNING {_VIEW}",
            *params))
    except asyncpg.UniqueViolationError as error:
        raise conflict_from(error, _UNIQUE) from None


async def disable(conn: asyncpg.Connection, street_id: str, client_id: str) -> Client:
    """Disable the client and revoke the refresh tokens it was given, in one statement each of
    the caller's transaction: a disabled client keeps no way to mint access tokens."""
    disabled = model(Client, await conn.fetchrow(
        f"""UPDATE clients AS c SET disabled_at = clock_timestamp(), updated_at = clock_timestamp()
            WHERE c.id = $1 AND c.street_id = $2 RETURNING {_VIEW}""", client_id, street_id))
    await conn.execute(
        "UPDATE refresh_tokens SET revoked_at = clock_timestamp() WHERE client_id = $1 AND revoked_at IS NULL",
        client_id)
    return disabled


async def miniprogram_credentials(conn: asyncpg.Connection, client_id: str) -> MiniProgramCredentials | None:
    """An active mini-program client with its appid and sealed app secret, for the calls to
    WeChat; None for an unknown, disabled or platform client."""
    return model(MiniProgramCredentials, await conn.fetchrow(
        """SELECT id, street_id, appid, app_secret_sealed FROM clients
           WHERE id = $1 AND kind = 'miniprogram' AND disabled_at IS NULL""", client_id))


async def upsert_miniprogram(conn: asyncpg.Connection, *, client_id: str, street_id: str, name: str,
                             appid: str, app_secret_sealed: bytes) -> None:
    """For the demo data: (re)register a named mini-program client, enabled."""
    await conn.execute(
        """INSERT INTO clients (id, street_id, kind, name, appid, app_secret_sealed)
           VALUES ($1, $2, 'miniprogram', $3, $4, $5)
           ON CONFLICT (id) DO UPDATE
              SET name = EXCLUDED.name, appid = EXCLUDED.appid, disabled_at = NULL,
                  app_secret_sealed = EXCLUDED.app_secret_sealed, updated_at = clock_timestamp()""",
        client_id, street_id, name, appid, app_secret_sealed)
