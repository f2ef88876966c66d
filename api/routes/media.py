"""Photos (integrations.md §B): upload one (``multipart/form-data``, field ``file``, as
``wx.uploadFile`` sends it), read what was stored, and — for local storage — fetch its bytes
at the signed URL an answer gave (public: the signature is the credential)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import asyncpg
from litestar import Request, Response, get, post
from litestar.params import Parameter

from api.conventions.etags import resource_response
from api.conventions.openapi import PUBLIC, READ, WRITE, problems
from api.conventions.uploads import UploadRule, accepts_upload, read_upload
from api.routes.common import BEARER, known_id
from api.schemas.media import Media, media_view
from api.services import services_of
from domain.media import MAX_BYTES
from domain.permissions import Principal
from usecases import media

UPLOAD = UploadRule("MediaUpload", max_file_bytes=MAX_BYTES,
                    file_description="A photo: JPEG, PNG, WebP or HEIC (converted to JPEG), at most 10 MB. "
                                     "The type is read from the bytes; EXIF is removed.")


def media_link(request: Request) -> Callable[[str], str]:
    """media id → its signed URL, for this request's answers (the same URL all hour)."""
    return media.linker(services_of(request).storage)


@post("/v1/media", operation_id="uploadMedia", tags=["media"], security=BEARER, status_code=201,
      summary="Upload a photo (residents and leaders); attach it with media_ids within a day",
      responses=problems(WRITE), **accepts_upload(UPLOAD))
async def upload_media(request: Request, tx: asyncpg.Connection, principal: Principal) -> Response[Media]:
    async with read_upload(request) as upload:
        stored = await media.upload(tx, principal, services_of(request).storage,
                                    media.Upload(file=upload.file, size=upload.size))
    return resource_response(request, media_view(stored, media_link(request)), 201,
                             headers={"Location": f"/v1/media/{stored.id}"})


@get("/v1/media/{media_id:str}", operation_id="getMedia", tags=["media"], security=BEARER,
     summary="A photo I uploaded, with a fresh signed URL", responses=problems(READ))
async def get_media(request: Request, conn: asyncpg.Connection, principal: Principal,
                    media_id: str) -> Response[Media]:
    found = await media.get(conn, principal, known_id("media", media_id))
    return resource_response(request, media_view(found, media_link(request)))


@get("/v1/media/{media_id:str}/content", operation_id="getMediaContent", tags=["media"], security=[],
     summary="A stored photo, at the signed URL an answer gave (local storage; S3 URLs go to the store)",
     media_type="image/jpeg", responses=problems(PUBLIC + (404,)))
async def media_content(request: Request, media_id: str,
                        expires: Annotated[int, Parameter(query="expires", ge=0, le=2**40)],
                        signature: Annotated[str, Parameter(query="signature", min_length=64, max_length=64,
                                                            pattern=r"^[0-9a-f]{64}$")]) -> Response[bytes]:
    data, content_type = await media.signed_content(services_of(request).storage, known_id("media", media_id),
                                                    expires, signature)
    # Cacheable by the client while the URL holds; the bytes behind an id never change.
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=3600"})


MEDIA_ROUTES = [upload_media, get_media, media_content]
