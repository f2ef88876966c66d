"""Wire types of organisations: property companies, owners' committees, volunteer teams and
partner units."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.conventions.openapi import Input
from api.schemas.common import ExternalId, Stamp, id_text, name_text
from domain import organizations

CommunityRef = id_text("com_7k2m9q4x8r1t5v3w")
OrganizationName = name_text(100, example="嘉富物业服务有限公司")


OrganizationKind = Literal["property_company", "owners_committee", "volunteer_team", "partner_unit"]


class Organization(msgspec.Struct):
    id: Annotated[str, Meta(examples=["org_3n8p2k5m7q9r4t6v"])]
    name: Annotated[str, Meta(examples=["嘉富物业服务有限公司"])]
    kind: OrganizationKind
    community_id: str | None
    external_id: ExternalId | None
    created_at: Stamp
    updated_at: Stamp


class OrganizationCreate(Input):
    name: OrganizationName
    kind: OrganizationKind
    community_id: CommunityRef | None = None
    external_id: ExternalId | None = None


def organization_view(organization: organizations.Organization) -> Organization:
    return Organization(id=organization.id, name=organization.name, kind=organization.kind,
                        community_id=organization.community_id, external_id=organization.external_id,
                        created_at=organization.created_at, updated_at=organization.updated_at)
