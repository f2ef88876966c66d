"""Residents, leaders and staff for tests, arranged in SQL (the crowd is set up directly;
only the acts under test go over HTTP), each with an access token minted by the app's own
key ring, as the token endpoint would."""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass

import asyncpg

from api.auth.tokens import KeyRing
from domain.ids import new_id
from domain.permissions import Principal
from service.settings import Settings
from usecases.clients import seal_app_secret
from usecases.crypto import Sealer


@dataclass
class Person:
    person_id: str
    token: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}


async def miniprogram_client(db: asyncpg.Pool, settings: Settings, street_id: str) -> tuple[str, str]:
    """A mini-program client of the street: (client id, appid)."""
    client_id, appid = new_id("client"), "wx" + uuid.uuid4().hex[:16]
    secret = base64.b64encode(os.urandom(16)).decode()
    sealed = seal_app_secret(Sealer(settings.data_key_bytes), client_id, secret)
    await db.execute(
        """INSERT INTO clients (id, street_id, kind, name, appid, app_secret_sealed)
           VALUES ($1, $2, 'miniprogram', 'test mini-program', $3, $4)""",
        client_id, street_id, appid, sealed)
    return client_id, appid


def token_for(settings: Settings, *, person_id: str, client_id: str, street_id: str) -> str:
    keyring = KeyRing(settings.signing_keys, settings.active_kid, settings.access_token_ttl)
    token, _ = keyring.issue(Principal(kind="person", client_id=client_id, street_id=street_id,
                                       person_id=person_id))
    return token


async def new_person(db: asyncpg.Pool, settings: Settings, *, client_id: str, street_id: str,
                     nickname: str | None = None, real_name: str | None = None,
                     phone: str | None = None) -> Person:
    person_id = new_id("person")
    await db.execute("INSERT INTO persons (id, nickname, real_name, phone) VALUES ($1, $2, $3, $4)",
                     person_id, nickname, real_name, phone)
    return Person(person_id, token_for(settings, person_id=person_id, client_id=client_id,
                                       street_id=street_id))


async def join(db: asyncpg.Pool, person: Person, household_id: str, *, role: str = "owner",
               head: bool = False) -> str:
    row = await db.fetchrow("SELECT street_id, community_id, building_id FROM households WHERE id = $1",
                            household_id)
    membership_id = new_id("membership")
    await db.execute(
        """INSERT INTO memberships (id, street_id, community_id, building_id, household_id, person_id,
                                    role, head) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        membership_id, row["street_id"], row["community_id"], row["building_id"], household_id,
        person.person_id, role, head)
    return membership_id


async def grant(db: asyncpg.Pool, person: Person, role: str, scope_id: str, *, street_id: str) -> str:
    scope_type = {"building_leader": "building", "community_staff": "community",
                  "street_officer": "street", "organization_member": "organization"}[role]
    community_id = building_id = None
    if scope_type == "building":
        building_id = scope_id
        community_id = await db.fetchval("SELECT community_id FROM buildings WHERE id = $1", scope_id)
    elif scope_type == "community":
        community_id = scope_id
    role_id = new_id("role")
    await db.execute(
        """INSERT INTO roles (id, street_id, person_id, role, scope_type, scope_id, community_id,
                              building_id, granted_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'tests')""",
        role_id, street_id, person.person_id, role, scope_type, scope_id, community_id, building_id)
    return role_id
