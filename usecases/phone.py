"""A resident's phone number, verified by WeChat (the getPhoneNumber button's code).

Only the number WeChat vouches for is stored: the client never sends a number, only the
one-time code, which the server exchanges with the app's own credentials. A verified number
redeems the street platform's resident invitations for it (the ``residents`` import kind)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.errors import Forbidden
from domain.people import Person, normalize_phone
from domain.permissions import Principal
from integrations.wechat import WeChatClient
from store import persons
from usecases.clients import miniprogram_credentials, open_app_secret
from usecases.crypto import Sealer
from usecases.me import join_invited
from usecases.members import live_person


async def verify_phone(conn: asyncpg.Connection, who: Principal, sealer: Sealer, wechat: WeChatClient,
                       code: str, now: datetime) -> Person:
    """Store the verified number on the caller, and let it join the households the street
    invited that number to; returns the person as stored."""
    person = await live_person(conn, who)  # a platform token is refused here (person_required)
    client = await miniprogram_credentials(conn, who.client_id)
    if client is None:  # the token's client was disabled, or is no mini-program
        raise Forbidden("miniprogram_required")
    verified = await wechat.phone_number(client.appid, open_app_secret(sealer, client), code)
    stored = await persons.update(conn, person.id, {"phone": verified.number})
    number = normalize_phone(verified.number) if verified.country_code == "86" else None
    if number is not None:
        await join_invited(conn, who.street_id, person.id, sealer.phone_digest(number), now)
    return stored
