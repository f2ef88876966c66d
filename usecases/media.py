"""Media: photos uploaded by residents and leaders (``POST /v1/media``), attached by their
owner to a report or a progress note (``media_ids``), shown in answers at signed URLs, and
removed by the worker when they are never attached (usecases/media_jobs.py).

An upload is decoded and re-encoded in a thread (integrations/images.py: EXIF removed, type
from the bytes); the stored photo goes to the configured storage (integrations/storage.py)
under a key derived from its id."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import IO, Any

import asyncpg
import msgspec

from domain import media as rules
from domain.clock import real_now
from domain.errors import NotFound, RuleViolation
from domain.ids import new_id
from domain.media import Media
from domain.permissions import Actor, Principal
from integrations.storage import LocalStorage, Storage
from store import media as store
from usecases.actors import actor_for
from usecases.kernel import person_of, visible_or_404


class Upload(msgspec.Struct, kw_only=True):
    """An upload spooled to a temporary file by the API (its bytes are read from there)."""

    file: Any  # IO[bytes]: the spooled file (the API's multipart reader owns and closes it)
    size: int

    @property
    def source(self) -> IO[bytes]:
        return self.file


async def upload(conn: asyncpg.Connection, who: Principal, storage: Storage, command: Upload) -> Media:
    """Store a photo for the signed-in person (403 ``person_required`` for a platform client:
    a photo belongs to the person who attaches it)."""
    from integrations import images  # Pillow and libheif: loaded by the API's first upload, never by the worker

    owner = person_of(await actor_for(conn, who))
    photo = await asyncio.to_thread(images.process, command.source, command.size)
    media_id = new_id("media")
    key = rules.storage_key(media_id)
    stored = await store.insert(conn, media_id=media_id, street_id=who.street_id, owner_id=owner,
                                storage_key=key, content_type=photo.content_type, size=len(photo.data),
                                width=photo.width, height=photo.height, sha256=photo.sha256)
    # Written before the row commits: a failed put rolls the row back; a failed commit leaves
    # an object without a row, which costs space but is never shown.
    await storage.put(key, photo.data, photo.content_type)
    return stored


async def attach(conn: asyncpg.Connection, actor: Actor, media_ids: Sequence[str], *,
                 field: str = "media_ids") -> list[str]:
    """Mark the caller's own photos attached (in the caller's transaction); the ids, once
    each, in order. Someone else's photo, or one that does not exist, is a 422 with a field
    error naming it (``media_not_attachable``)."""
    if not media_ids:
        return []
    unique = list(dict.fromkeys(media_ids))
    found = {m.id: m for m in await store.lock_many(conn, unique)}
    for index, media_id in enumerate(media_ids):
        if not rules.may_attach(actor.person_id, actor.principal.street_id, found.get(media_id)):
            raise RuleViolation("media_not_attachable", {"field": f"{field}[{index}]", "media_id": media_id})
    await store.mark_attached(conn, unique)
    return unique


async def get(conn: asyncpg.Connection, who: Principal, media_id: str) -> Media:
    """A photo, for the person who uploaded it (404 for anyone else)."""
    found = await store.get(conn, media_id)
    return visible_or_404(found, lambda m: rules.may_attach(who.person_id, who.street_id, m))


def linker(storage: Storage) -> Callable[[str], str]:
    """media id → its URL, signed for this hour and the next (the same URL all hour)."""
    expires = rules.url_expiry(real_now())
    return lambda media_id: storage.signed_url(rules.storage_key(media_id), expires)


async def signed_content(storage: Storage, media_id: str, expires: int, signature: str) -> tuple[bytes, str]:
    """A locally stored photo, for a URL this service signed and whose hour has not passed;
    404 otherwise (a wrong signature does not reveal whether the photo exists)."""
    key = rules.storage_key(media_id)
    if not isinstance(storage, LocalStorage) or not rules.signature_holds(storage.secret, key, expires, signature,
                                                                           real_now()):
        raise NotFound("not_found")
    data = await storage.get(key)
    content_type = rules.content_type_of(data[:12]) if data else None
    if data is None or content_type is None:
        raise NotFound("not_found")
    return data, content_type
