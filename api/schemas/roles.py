"""Wire types of roles held on a scope (building, community, street, organisation) and of
role invites."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text
from domain import roles

PersonId = id_text("psn_4k8m2q6x9r3t7v1w")
ScopeId = id_text("bld_3n8p2k5m7q9r4t6v")


HeldRole = Literal["building_leader", "community_staff", "street_officer", "organization_member"]


class RoleScope(msgspec.Struct):
    type: Literal["building", "community", "street", "organization"]
    id: str


class RoleGrant(msgspec.Struct):
    id: Annotated[str, Meta(examples=["rol_8q3m6x2k9r5t1v7w"])]
    person_id: PersonId
    role: HeldRole
    scope: RoleScope
    created_at: Stamp
    updated_at: Stamp


class RoleCreate(Input):
    person_id: PersonId
    role: Annotated[HeldRole, Meta(description="Must be the role of the path's scope; may be left out")] | UnsetType \
        = UNSET


class RoleInviteCreate(Input):
    role: Literal["building_leader", "community_staff", "organization_member"]
    scope: RoleScopeInput


class RoleScopeInput(Input):
    type: Literal["building", "community", "organization"]
    id: ScopeId


class RoleInvite(msgspec.Struct):
    id: str
    role: str
    scope: RoleScope
    code: Annotated[str, Meta(description="Shown once", examples=["K7M2-9QXP-4RTV"])]
    expires_at: Stamp
    created_at: Stamp


def role_view(grant: roles.RoleGrant) -> RoleGrant:
    return RoleGrant(id=grant.id, person_id=grant.person_id, role=grant.role,
                     scope=RoleScope(type=grant.scope_type, id=grant.scope_id),
                     created_at=grant.created_at, updated_at=grant.updated_at)


def role_invite_view(invite: roles.RoleInvite, code: str) -> RoleInvite:
    return RoleInvite(id=invite.id, role=invite.role, scope=RoleScope(type=invite.scope_type, id=invite.scope_id),
                      code=code, expires_at=invite.expires_at, created_at=invite.created_at)


def named_role(data: RoleCreate) -> str | None:
    """The body's ``role``, None when left out (the path names the role then)."""
    return None if data.role is UNSET else data.role
