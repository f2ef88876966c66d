"""Roles held on a scope (a building's leader, a community's staff, a street officer, an
organisation's member) and the invites that grant them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Each role is held on one kind of scope.
ROLE_SCOPE_TYPES = {"building_leader": "building", "community_staff": "community",
                    "street_officer": "street", "organization_member": "organization"}


@dataclass(frozen=True, slots=True)
class RoleGrant:
    id: str
    street_id: str
    person_id: str
    role: str
    scope_type: str
    scope_id: str
    community_id: str | None
    building_id: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RoleInvite:
    id: str
    street_id: str
    created_by: str
    expires_at: datetime
    created_at: datetime
    role: str
    scope_type: str
    scope_id: str
    community_id: str | None
    building_id: str | None
