"""Where uploaded photos are kept, behind one small interface (``Storage``): an S3-compatible
object store (MinIO, AWS S3, Aliyun OSS, Tencent COS) when a bucket is configured, else a
local directory (``.data/media/`` by default) whose files the API serves itself at a signed
URL (``GET /v1/media/{id}/content``).

The S3 client is boto3, run in a thread (``asyncio.to_thread``): it is the reference client,
kept by AWS, and shares botocore with the S3 server the tests start (moto); the async
wrappers (aiobotocore) pin botocore to narrow ranges that clash with it, and an upload makes
one or two short calls, which a thread serves well.

Both kinds sign URLs valid for the current clock hour plus one, with the signing time fixed
to the start of the hour, so a URL — and the ETag of a resource that shows it — holds all
hour. Signing is security time: it reads the real clock, never the test clock."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlencode

import boto3
from botocore.auth import SIGV4_TIMESTAMP, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError

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


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    endpoint: str | None  # None: AWS itself
    region: str
    access_key: str | None
    secret_key: str | None
    public_endpoint: str | None = None  # where clients reach the store, when not where we do


class _HourQueryAuth(S3SigV4QueryAuth):
    """botocore's query-string signer with the signing time given instead of read, so a URL
    signed twice in one hour is the same URL."""

    def __init__(self, credentials: Credentials, region: str, expires: int) -> None:
        self._signed_at = rules.hour_start(expires)
        super().__init__(credentials, "s3", region, expires=expires - int(self._signed_at.timestamp()))

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self._signed_at.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        self._inject_signature_to_request(request, self.signature(self.string_to_sign(request, canonical), request))


class S3Storage:
    def __init__(self, settings: S3Settings) -> None:
        self.settings = settings
        # Keys given, or boto3's own chain (environment, profile, instance role).
        self._session = boto3.session.Session(aws_access_key_id=settings.access_key,
                                              aws_secret_access_key=settings.secret_key,
                                              region_name=settings.region)
        self._client = self._session.client(
            "s3", endpoint_url=settings.endpoint,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                          connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}))
        base = settings.public_endpoint or settings.endpoint or f"https://s3.{settings.region}.amazonaws.com"
        self._base = base.rstrip("/")

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await asyncio.to_thread(self._client.put_object, Bucket=self.settings.bucket, Key=key, Body=data,
                                    ContentType=content_type, CacheControl="private, max-age=3600")
        except (BotoCoreError, ClientError):
            raise StorageUnavailable() from None

    async def get(self, key: str) -> bytes | None:
        def read() -> bytes | None:
            try:
                return self._client.get_object(Bucket=self.settings.bucket, Key=key)["Body"].read()
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None
                raise StorageUnavailable() from None
            except BotoCoreError:
                raise StorageUnavailable() from None
        return await asyncio.to_thread(read)

    async def delete(self, key: str) -> None:
        try:  # deleting what is not there succeeds: S3 says so, and a second sweep relies on it
            await asyncio.to_thread(self._client.delete_object, Bucket=self.settings.bucket, Key=key)
        except (BotoCoreError, ClientError):
            raise StorageUnavailable() from None

    def signed_url(self, key: str, expires: int) -> str:
        found = self._session.get_credentials()  # refreshed by boto3 when they are temporary
        if found is None:
            raise RuntimeError("no S3 credentials to sign URLs with")
        frozen = found.get_frozen_credentials()
        request = AWSRequest(method="GET", url=f"{self._base}/{quote(self.settings.bucket)}/{quote(key)}")
        credentials = Credentials(frozen.access_key, frozen.secret_key, frozen.token)
        _HourQueryAuth(credentials, self.settings.region, expires).add_auth(request)
        return request.prepare().url

    def close(self) -> None:
        self._client.close()
