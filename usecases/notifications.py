"""Subscription messages, as residents and platforms arrange them: a resident passes on
``wx.requestSubscribeMessage``'s answer (each ``accept`` adds one to (client, person,
template)); a platform maps its mini-program's notification kinds to templates; a resident
reads what was sent to them and how it went. The worker sends (usecases/notifications_jobs.py)."""

from __future__ import annotations

import asyncpg
import msgspec

from domain.errors import Forbidden, NotFound
from domain.notifications import MessageTemplates, Notification
from domain.permissions import Principal
from store import notifications as store
from store.paging import Keyset
from usecases import clients
from usecases.actors import actor_for
from usecases.kernel import person_of
from usecases.members import live_person


class SubscribeAnswer(msgspec.Struct, frozen=True):
    results: dict[str, str]  # TEMPLATE_ID → accept | reject | ban | filter


class Template(msgspec.Struct, frozen=True):
    template_id: str
    page: str | None = None
    fields: dict[str, str] = {}  # KEY → SOURCE


class TemplateMapping(msgspec.Struct, frozen=True):
    miniprogram_state: str
    templates: dict[str, Template]


async def subscribe(conn: asyncpg.Connection, who: Principal, command: SubscribeAnswer) -> dict[str, int]:
    """Count the accepts under the mini-program client the caller signed in through; the
    caller's counts after it. The counts are hints: WeChat is the judge (43101 zeroes one)."""
    person = await live_person(conn, who)  # a platform token is refused here (person_required)
    if await clients.miniprogram_credentials(conn, who.client_id) is None:
        raise Forbidden("miniprogram_required")
    accepted = [template for template, answer in command.results.items() if answer == "accept"]
    await store.add_accepts(conn, who.client_id, person.id, accepted)
    return await store.counts(conn, who.client_id, person.id)


async def _miniprogram(conn: asyncpg.Connection, who: Principal, client_id: str) -> str:
    record = await clients.get_client(conn, who, client_id)
    if record.kind != "miniprogram":
        raise NotFound("not_found")  # a platform client has no templates
    return record.street_id


async def put_templates(conn: asyncpg.Connection, who: Principal, client_id: str,
                        command: TemplateMapping) -> MessageTemplates:
    street_id = await _miniprogram(conn, who, client_id)
    return await store.put_templates(conn, client_id=client_id, street_id=street_id,
                                     miniprogram_state=command.miniprogram_state,
                                     templates=msgspec.to_builtins(command.templates))


async def get_templates(conn: asyncpg.Connection, who: Principal, client_id: str) -> MessageTemplates:
    await _miniprogram(conn, who, client_id)
    found = await store.get_templates(conn, client_id)
    if found is None:
        raise NotFound("not_found")
    return found


async def my_notifications(conn: asyncpg.Connection, who: Principal, keyset: Keyset) -> list[Notification]:
    return await store.page_for(conn, person_of(await actor_for(conn, who)), keyset)
