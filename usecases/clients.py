"""The street's API clients: platform clients (made by the operator command) and the
mini-program clients a street-wide writer registers with their WeChat appid and app secret.

The app secret is write-only: sealed with the data key (AES-GCM, bound to the client's id so
a sealed secret cannot be moved to another client's row), opened only to call WeChat, never
returned or put in an event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec
from cryptography.exceptions import InvalidTag
from msgspec import UNSET, UnsetType

from domain.clients import Client, MiniProgramCredentials, PlatformCredentials
from domain.errors import Forbidden, NotFound
from domain.ids import new_id
from domain.permissions import Principal, ensure_street_wide
from integrations.wechat import WeChatError
from store import clients
from store.events import Subject, append_event
from store.paging import Keyset
from store.rows import snapshot
from usecases.actors import actor_for
from usecases.crypto import Sealer, matches
from usecases.kernel import changes_of

Precondition = Callable[[Client], None]


class MiniProgramCreate(msgspec.Struct):
    name: str
    appid: str
    app_secret: str


class MiniProgramChange(msgspec.Struct):
    name: str | UnsetType = UNSET
    appid: str | UnsetType = UNSET
    app_secret: str | UnsetType = UNSET


def seal_app_secret(sealer: Sealer, client_id: str, app_secret: str) -> bytes:
    return sealer.seal(app_secret.encode(), context=client_id.encode())


def open_app_secret(sealer: Sealer, client: MiniProgramCredentials) -> str:
    try:
        return sealer.open(client.app_secret_sealed, context=client.id.encode()).decode()
    except (InvalidTag, ValueError):
        # Sealed under another data key (BILIN_DATA_KEY changed): the street must register the
        # secret again. Say so rather than fail with a 500.
        raise WeChatError("wechat_app_misconfigured") from None


async def miniprogram_credentials(conn: asyncpg.Connection, client_id: str) -> MiniProgramCredentials | None:
    """An active mini-program's appid and sealed secret, for calling WeChat; None for an
    unknown, disabled or platform client."""
    return await clients.miniprogram_credentials(conn, client_id)


async def _event(conn: asyncpg.Connection, action: str, record: Client,
                 changed: list[str] | None = None) -> None:
    data: dict[str, Any] = {"client": snapshot(record)}  # the view's columns: no secret
    if changed is not None:
        data["changed"] = changed
    await append_event(conn, type=f"client.{action}", street_id=record.street_id,
                       subject=Subject("client", record.id), data=data)


async def _authorised(conn: asyncpg.Connection, who: Principal) -> None:
    ensure_street_wide(await actor_for(conn, who), write=True)


async def _own(conn: asyncpg.Connection, who: Principal, client_id: str, *, for_update: bool = False,
               disabled_too: bool = False) -> Client:
    record = await clients.get(conn, who.street_id, client_id, for_update=for_update, disabled_too=disabled_too)
    if record is None:  # another street's client, too: never reveal that it exists
        raise NotFound("not_found")
    return record


async def list_clients(conn: asyncpg.Connection, who: Principal, keyset: Keyset) -> list[Client]:
    await _authorised(conn, who)
    return await clients.page(conn, who.street_id, keyset)


async def get_client(conn: asyncpg.Connection, who: Principal, client_id: str) -> Client:
    await _authorised(conn, who)
    return await _own(conn, who, client_id)


async def register_miniprogram(conn: asyncpg.Connection, who: Principal, sealer: Sealer,
                               command: MiniProgramCreate) -> Client:
    await _authorised(conn, who)
    client_id = new_id("client")
    record = await clients.insert_miniprogram(
        conn, client_id=client_id, street_id=who.street_id, name=command.name, appid=command.appid,
        app_secret_sealed=seal_app_secret(sealer, client_id, command.app_secret))
    await _event(conn, "created", record)
    return record


async def _changeable(conn: asyncpg.Connection, who: Principal, client_id: str,
                      precondition: Precondition, *, disabled_too: bool = False) -> Client:
    await _authorised(conn, who)
    current = await _own(conn, who, client_id, for_update=True, disabled_too=disabled_too)
    if current.kind != "miniprogram":
        raise Forbidden("platform_client_readonly")
    precondition(current)
    return current


async def update_miniprogram(conn: asyncpg.Connection, who: Principal, sealer: Sealer, client_id: str,
                             command: MiniProgramChange, precondition: Precondition) -> Client:
    current = await _changeable(conn, who, client_id, precondition)
    changes = changes_of(command)
    if not changes:
        return current
    columns = dict(changes)
    if "app_secret" in columns:
        columns["app_secret_sealed"] = seal_app_secret(sealer, client_id, columns.pop("app_secret"))
    record = await clients.update(conn, who.street_id, client_id, columns)
    await _event(conn, "updated", record, sorted(changes))
    return record


async def disable_miniprogram(conn: asyncpg.Connection, who: Principal, client_id: str,
                              precondition: Precondition) -> None:
    """Disable the client: from then on it is gone from the API (404), while its row stays for
    the history that points at it. DELETE is idempotent: disabling it again changes nothing.
    Its refresh tokens are revoked at once; its access tokens run out within ≤ 15 minutes."""
    current = await _changeable(conn, who, client_id, precondition, disabled_too=True)
    if current.disabled_at is not None:
        return
    record = await clients.disable(conn, who.street_id, client_id)
    await _event(conn, "disabled", record)


async def register_demo_miniprogram(conn: asyncpg.Connection, sealer: Sealer, *, client_id: str, street_id: str,
                                    name: str, appid: str, app_secret: str) -> None:
    """For the demo data (development only): (re)register a named mini-program client, enabled."""
    await clients.upsert_miniprogram(conn, client_id=client_id, street_id=street_id, name=name, appid=appid,
                                     app_secret_sealed=seal_app_secret(sealer, client_id, app_secret))


async def authenticate_platform(conn: asyncpg.Connection, client_id: str, secret: str) -> PlatformCredentials | None:
    """The active platform client whose secret this is, else None (the caller answers
    ``invalid_client`` alike for an unknown client, a wrong secret and a mini-program client)."""
    client = await clients.get_active_client(conn, client_id)
    if client is None or client.kind != "platform" or client.secret_digest is None \
            or not matches(secret, client.secret_digest):
        return None
    return client
