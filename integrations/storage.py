"""Where uploaded photos are kept, behind one small interface (``Storage``): an S3-compatible
object store (MinIO, AWS S3, Aliyun OSS, Tencent COS) when a bucket is configured, else a
local directory (``.data/media/`` by default) whose files the API serves itself at a signed
URL (``GET /v1/media/{id}/content``).

The S3 kind is integrations/s3.py, imported only when a bucket is configured (boto3 is a
second of start-up a local deployment need not pay).

Both kinds sign URLs valid for the current clock hour plus one, with the signing time fixed
to the start of the hour, so a URL — and the ETag of a resource that shows it — holds all
hour. Signing is security time: it reads the real clock, never the test clock."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

from domain import media as rules
from domain.errors import DomainError


class StorageUnavailable(DomainError):
    """The bucket or the directory cannot be reached or written: 503, try again later."""

    def __init__(self) -> None:
        super().__init__("media_storage_unavailable", {"retry_after": 5})


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...
    async def get(self, key: str) -> bytes | None: ...
    async def delete(self, key: str) -> None: ...
    def signed_url(self, key: str, expires: int) -> str: ...


def media_secret(data_key: bytes) -> bytes:
    """The key local media URLs are signed with, derived from the service's data key (so
    rotating that key rotates this one, and no new secret needs configuring)."""
    return hmac.new(data_key, b"bilin media url signing", hashlib.sha256).digest()


class LocalStorage:
    """Files under ``root``; their URLs point at the API's own content route."""

    def __init__(self, root: Path, secret: bytes, public_url: str = "") -> None:
        self.root = root
        self.secret = secret
        self.public_url = public_url.rstrip("/")

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("storage key outside the media directory")
        return path

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await asyncio.to_thread(self._write, self._path(key), data)
        except OSError:  # a full or read-only disk
            raise StorageUnavailable() from None

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)  # a reader never sees half a photo

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    def signed_url(self, key: str, expires: int) -> str:
        media_id = key.rpartition("/")[2]
        query = urlencode({"expires": expires, "signature": rules.signature(self.secret, key, expires)})
        return f"{self.public_url}/v1/media/{media_id}/content?{query}"
