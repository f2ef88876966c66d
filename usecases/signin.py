"""Residents sign in through a mini-program client: WeChat's login code becomes a person and a
pair of tokens; the refresh token then rotates.

Rotation: each refresh token works once; the new one joins the same family. A token presented
a second time means two parties hold it (one of them a thief), so the whole family is
revoked and both must sign in again. The access token itself is signed by the HTTP layer's
key ring: this module says whom it is for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import structlog

from domain.errors import DomainError
from domain.ids import new_id
from domain.people import refresh_refusal
from domain.permissions import Principal
from integrations.wechat import WeChatClient
from store import persons, refresh_tokens
from store.db import Database
from usecases.clients import miniprogram_credentials, open_app_secret
from usecases.crypto import Sealer, digest, new_secret

REFRESH_TOKEN_LIFETIME = timedelta(days=30)  # from its issue; each rotation starts a new one
log = structlog.get_logger("bilin.signin")


class GrantRefused(DomainError):
    """``invalid_client`` (401) or ``invalid_grant`` (400), in OAuth 2.0's words."""


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    refresh_token: str
    created: bool = False  # a new person


async def _issue_refresh_token(conn: asyncpg.Connection, *, person_id: str, client_id: str,
                               street_id: str, family_id: str | None = None) -> str:
    token, token_id = new_secret("rt_"), new_id("refresh_token")
    await refresh_tokens.insert(conn, token_id=token_id, family_id=family_id or token_id, person_id=person_id,
                                client_id=client_id, street_id=street_id, token_digest=digest(token),
                                lifetime=REFRESH_TOKEN_LIFETIME)
    return token


def _person(client_id: str, street_id: str, person_id: str) -> Principal:
    return Principal(kind="person", client_id=client_id, street_id=street_id, person_id=person_id)


async def sign_in_with_wechat(db: Database, sealer: Sealer, wechat: WeChatClient, client_id: str,
                              code: str) -> SignedIn:
    """Exchange the code at WeChat with the client's appid and secret (outside any
    transaction: WeChat may take seconds), then find or create the person."""
    async with db.connection() as conn:
        client = await miniprogram_credentials(conn, client_id)
    if client is None:
        raise GrantRefused("invalid_client")
    session = await wechat.code_to_session(client.appid, open_app_secret(sealer, client), code)
    async with db.transaction() as conn:
        person_id, created = await persons.find_or_create_by_wechat(
            conn, appid=client.appid, openid=session.openid, unionid=session.unionid)
        refresh_token = await _issue_refresh_token(conn, person_id=person_id, client_id=client.id,
                                                   street_id=client.street_id)
    return SignedIn(_person(client.id, client.street_id, person_id), refresh_token, created)


async def refresh(db: Database, presented: str, *, client_id: str | None = None) -> SignedIn:
    """Rotate ``presented``. When the caller names its client (RFC 6749 §6), the token must
    have been issued to that client; a mismatch is refused and leaves the token untouched,
    since the token's own holder has done nothing wrong."""
    async with db.transaction() as conn:
        token = await refresh_tokens.claim(conn, digest(presented))
        refusal = refresh_refusal(token)
        if refusal is None and client_id is not None and client_id != token.client_id:
            log.warning("refresh_token_refused", reason="other_client", family_id=token.family_id)
            raise GrantRefused("invalid_grant")
        if refusal is None:
            await refresh_tokens.mark_used(conn, token.id)
            new_token = await _issue_refresh_token(conn, person_id=token.person_id, client_id=token.client_id,
                                                   street_id=token.street_id, family_id=token.family_id)
        elif refusal not in ("unknown", "expired"):
            # Reuse, or a holder that may no longer sign in: nothing of the family stays usable.
            revoked = await refresh_tokens.revoke_family(conn, token.family_id)
            log.warning("refresh_token_refused", reason=refusal, family_id=token.family_id,
                        revoked=revoked)
    # The revocation above commits even though the request fails: raise only after the commit.
    if refusal is not None:
        raise GrantRefused("invalid_grant")
    return SignedIn(_person(token.client_id, token.street_id, token.person_id), new_token)
