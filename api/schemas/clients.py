"""Wire types of API clients and of a verified phone number."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, text
from domain import clients

ClientName = text(100, min_length=1, example="嘉富社区邻里小程序")
AppId = Annotated[str, Meta(pattern=r"^wx[0-9a-z]{16}$", examples=["wx8f3c2a9d7e6b5a41"],
                            description="The mini-program's WeChat AppID")]
AppSecret = Annotated[str, Meta(
    min_length=16, max_length=128, pattern=r"^[\x21-\x7e]+$", examples=["9f8e7d6c5b4a39281706f5e4d3c2b1a0"],
    description="The mini-program's WeChat AppSecret. Write-only: sealed at rest, never returned")]


class Client(msgspec.Struct):
    id: Annotated[str, Meta(examples=["cli_8m3k9x2q7r5t1v4w"],
                            description="The client_id a mini-program sends with grant_type=wechat_code")]
    kind: Annotated[Literal["platform", "miniprogram"], Meta(examples=["miniprogram"])]
    name: Annotated[str, Meta(examples=["嘉富社区邻里小程序"])]
    appid: Annotated[str | None, Meta(examples=["wx8f3c2a9d7e6b5a41"])]
    app_secret_set: Annotated[bool, Meta(examples=[True], description="An app secret is registered")]
    scopes: Annotated[list[str], Meta(examples=[[]], description="A platform client's scopes")]
    created_at: Stamp
    updated_at: Stamp


class ClientCreate(Input):
    name: ClientName
    appid: AppId
    app_secret: AppSecret


class ClientUpdate(Input):
    name: ClientName | UnsetType = UNSET
    appid: AppId | UnsetType = UNSET
    app_secret: AppSecret | UnsetType = UNSET


def client_view(client: clients.Client) -> Client:
    return Client(id=client.id, kind=client.kind, name=client.name, appid=client.appid,
                  app_secret_set=client.app_secret_set, scopes=sorted(client.scopes),
                  created_at=client.created_at, updated_at=client.updated_at)


class PhoneCode(Input):
    code: Annotated[str, Meta(min_length=1, max_length=256, pattern=r"^[\x21-\x7e]+$",
                              examples=["e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144"],
                              description="The code from WeChat's getPhoneNumber button")]


class PhoneVerified(msgspec.Struct):
    phone: Annotated[str, Meta(examples=["138****8000"], description="Masked; stored in full")]
    verified_at: Stamp
