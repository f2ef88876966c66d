"""Mini-program clients registered over the API, and residents signed in through the WeChat
stand-in, as a real mini-program would."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from tests.support.platform import Platform


@dataclass
class MiniProgram:
    client_id: str
    appid: str
    secret: str


@dataclass
class Resident:
    person_id: str
    access_token: str
    refresh_token: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", **extra}


def new_appid() -> str:
    return "wx" + uuid.uuid4().hex[:16]


async def register_miniprogram(client: Any, platform: Platform, *, appid: str | None = None,
                               secret: str | None = None) -> MiniProgram:
    appid, secret = appid or new_appid(), secret or secrets.token_hex(16)
    response = await client.post("/v1/clients", headers=platform.headers(), json={
        "name": "邻里小程序", "appid": appid, "app_secret": secret})
    assert response.status_code == 201, response.text
    return MiniProgram(response.json()["id"], appid, secret)


def unique_code(prefix: str = "") -> str:
    """A login code no other test uses: the stand-in maps it to its own openid."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


async def wechat_token(client: Any, client_id: str, code: str) -> Any:
    return await client.post("/v1/auth/token", json={"grant_type": "wechat_code", "client_id": client_id,
                                                     "code": code})


async def sign_in_resident(client: Any, app: MiniProgram, code: str | None = None) -> Resident:
    response = await wechat_token(client, app.client_id, code or unique_code())
    assert response.status_code == 200, response.text
    body = response.json()
    return Resident(person_of(body["access_token"]), body["access_token"], body["refresh_token"])


async def refresh(client: Any, refresh_token: str) -> Any:
    return await client.post("/v1/auth/token", json={"grant_type": "refresh_token",
                                                     "refresh_token": refresh_token})


def person_of(access_token: str) -> str:
    claims = jwt.decode(access_token, options={"verify_signature": False})
    assert claims["kind"] == "person"
    return claims["sub"]
