"""The street's API clients: platform clients and WeChat mini-programs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Client:
    """A client as the API shows it: never its secret, the secret's digest or sealed form."""

    id: str
    street_id: str
    kind: str
    name: str
    appid: str | None
    scopes: list[str]
    app_secret_set: bool
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class MiniProgramCredentials:
    """What calling WeChat as a mini-program takes: its appid and its sealed app secret."""

    id: str
    street_id: str
    appid: str
    app_secret_sealed: bytes


@dataclass(frozen=True, slots=True)
class PlatformCredentials:
    """What the token endpoint checks of an active client: its kind, secret digest and scopes."""

    id: str
    street_id: str
    kind: str
    secret_digest: bytes | None
    scopes: list[str]
