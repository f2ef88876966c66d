"""Organisations of a street: property companies, owners' committees, volunteer teams and
partner units; their members hold the ``organization_member`` role (domain/roles.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    street_id: str
    community_id: str | None
    name: str
    kind: str
    external_id: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def building_id(self) -> None:
        return None
