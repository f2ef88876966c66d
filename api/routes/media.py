"""Photos: the content of a locally stored photo at its signed URL (public: the signature is
the credential). Uploading is ``POST /v1/media`` (below, once multipart is accepted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from litestar import Request, Response, get
from litestar.params import Parameter

from api.conventions.openapi import PUBLIC, problems
from api.routes.common import known_id
from api.services import services_of
from usecases import media


def media_link(request: Request) -> Callable[[str], str]:
    """media id → its signed URL, for this request's answers (the same URL all hour)."""
    return media.linker(services_of(request).storage)


@get("/v1/media/{media_id:str}/content", operation_id="getMediaContent", tags=["media"], security=[],
     summary="A stored photo, at the signed URL an answer gave (local storage; S3 URLs go to the store)",
     media_type="image/jpeg", responses=problems(PUBLIC + (404,)))
async def media_content(request: Request, media_id: str,
                        expires: Annotated[int, Parameter(query="expires", ge=0, le=2**40)],
                        signature: Annotated[str, Parameter(query="signature", min_length=64, max_length=64,
                                                            pattern=r"^[0-9a-f]{64}$")]) -> Response[bytes]:
    data, content_type = await media.signed_content(services_of(request).storage, known_id("media", media_id),
                                                    expires, signature)
    # Cacheable by the client until the URL expires; the bytes of an id never change.
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, max-age=3600"})
