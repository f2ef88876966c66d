"""Photo storage in an S3-compatible bucket (MinIO, AWS S3, Aliyun OSS, Tencent COS): the
``Storage`` of integrations/storage.py.

The client is boto3, run in a thread (``asyncio.to_thread``): it is the reference client, kept
by AWS, and shares botocore with the S3 server the tests start (moto); the async wrappers
(aiobotocore) pin botocore to narrow ranges that clash with it, and an upload makes one or two
short calls, which a thread serves well.

URLs are presigned (SigV4, query string) with the signing time fixed to the start of the hour
and valid until the start of the next hour plus one, so the same photo has the same URL all
hour. The bucket stays private."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote

import boto3
from botocore.auth import SIGV4_TIMESTAMP, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError

from domain import media as rules
from integrations.storage import StorageUnavailable


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
