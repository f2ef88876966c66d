"""Wire types of uploaded photos and their views: the answer to an upload, and a photo as a
report or a progress note shows it (its id and a URL signed for this hour and the next)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.schemas.common import id_text
from domain import media as domain

MediaRef = id_text("med_5t7v9x2b4d6f8h1k")
MediaIds = Annotated[list[MediaRef], Meta(max_length=domain.MAX_ATTACHED)]  # type: ignore[valid-type]
ContentType = Literal["image/jpeg", "image/png", "image/webp"]


class Media(msgspec.Struct):
    id: Annotated[str, Meta(examples=["med_5t7v9x2b4d6f8h1k"])]
    url: Annotated[str, Meta(description="Signed; valid for the current clock hour and the next")]
    content_type: ContentType
    bytes: int
    width: int
    height: int


class MediaLink(msgspec.Struct):
    id: str
    url: Annotated[str, Meta(description="Signed; valid for the current clock hour and the next")]


def media_view(media: domain.Media, link: Callable[[str], str]) -> Media:
    return Media(id=media.id, url=link(media.id), content_type=media.content_type,  # type: ignore[arg-type]
                 bytes=media.bytes, width=media.width, height=media.height)


def links(media_ids: list[str], link: Callable[[str], str]) -> list[MediaLink]:
    return [MediaLink(id=media_id, url=link(media_id)) for media_id in media_ids]
