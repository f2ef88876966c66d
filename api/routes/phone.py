"""``POST /v1/me/phone``: the signed-in resident's phone number, verified by WeChat."""

from __future__ import annotations

import asyncpg
from litestar import Request, post

from api.conventions.openapi import problems
from api.routes.common import BEARER
from api.schemas.clients import PhoneCode, PhoneVerified
from api.business_time import business_clock
from api.services import services_of
from domain.people import mask_phone
from domain.permissions import Principal
from usecases import phone


@post("/v1/me/phone", operation_id="verifyPhone", summary="Verify the caller's phone number through WeChat",
      tags=["me"], security=BEARER, status_code=200,
      responses=problems((400, 401, 403, 404, 409, 413, 415, 422, 429, 502, 503)))
async def verify_phone(request: Request, tx: asyncpg.Connection, principal: Principal,
                       data: PhoneCode) -> PhoneVerified:
    services = services_of(request)
    person = await phone.verify_phone(tx, principal, services.sealer, services.wechat, data.code,
                                      await business_clock(request).now(tx))
    return PhoneVerified(phone=mask_phone(person.phone) or "", verified_at=person.updated_at)
