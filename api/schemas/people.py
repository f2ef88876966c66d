"""Wire types of persons, memberships, invites, roles, organisations and the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import ExternalId, Stamp, id_text, name_text
from domain import people
from domain.people import display_name, mask_phone
from usecases.me import Profile
from usecases.members import Visibility

PersonId = id_text("psn_4k8m2q6x9r3t7v1w")
ScopeId = id_text("bld_3n8p2k5m7q9r4t6v")
CommunityRef = id_text("com_7k2m9q4x8r1t5v3w")
MemberRole = Literal["owner", "tenant", "family"]
Code = Annotated[str, Meta(min_length=1, max_length=64, examples=["K7M2-9QXP-4RTV"])]
Nickname = name_text(40, example="阳台种花的老王")
RealName = name_text(40, example="王建国")
OrganizationName = name_text(100, example="嘉富物业服务有限公司")


class Membership(msgspec.Struct):
    id: Annotated[str, Meta(examples=["mbr_2m6q9x3k7r1t5v8w"])]
    household_id: str
    building_id: str
    community_id: str
    unit_label: Annotated[str, Meta(examples=["3-1-201"])]
    role: MemberRole
    head: bool
    joined_at: Stamp


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


class Me(msgspec.Struct):
    id: PersonId
    nickname: str | None
    real_name: str | None
    phone: Annotated[str | None, Meta(description="Masked; set through POST /v1/me/phone",
                                      examples=["138****8000"])]
    memberships: list[Membership]
    roles: list[RoleGrant]
    points_balance: Annotated[int, Meta(examples=[120])]
    created_at: Stamp
    updated_at: Stamp


class MeUpdate(Input):
    nickname: Nickname | None | UnsetType = UNSET
    real_name: RealName | None | UnsetType = UNSET


class InviteCreate(Input):
    role: MemberRole
    head: bool = False


class Invite(msgspec.Struct):
    id: Annotated[str, Meta(examples=["inv_5t7v9x2b4d6f8h1k"])]
    household_id: str
    role: MemberRole
    head: bool
    code: Annotated[str, Meta(description="Shown once; give it to the person who joins", examples=["K7M2-9QXP-4RTV"])]
    expires_at: Stamp
    created_at: Stamp


class JoinRequest(Input):
    invite_code: Code


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


class Member(msgspec.Struct, omit_defaults=True):
    membership_id: str
    display_name: Annotated[str, Meta(examples=["张*华"])]
    unit_label: Annotated[str, Meta(examples=["3-1-201"])]
    role: MemberRole
    head: bool
    person_id: PersonId | None = None
    phone: Annotated[str | None, Meta(examples=["138****8000"])] = None
    real_name: str | None = None
    joined_at: Annotated[Stamp | None, Meta(description="In a household's own member list")] = None


class AuditActor(msgspec.Struct):
    client_id: str
    person_id: str | None


class AuditSubject(msgspec.Struct):
    type: str
    id: str


class AuditEntry(msgspec.Struct):
    id: Annotated[str, Meta(examples=["aud_6x9r2k4m8q3t7v1w"])]
    action: Annotated[str, Meta(examples=["members.contact_read"])]
    actor: AuditActor
    subject: AuditSubject
    fields: list[str]
    request_id: str | None
    created_at: Stamp


def membership_view(membership: people.Membership) -> Membership:
    return Membership(id=membership.id, household_id=membership.household_id, building_id=membership.building_id,
                      community_id=membership.community_id, unit_label=membership.unit_label,
                      role=membership.role, head=membership.head, joined_at=membership.joined_at)


def role_view(grant: people.RoleGrant) -> RoleGrant:
    return RoleGrant(id=grant.id, person_id=grant.person_id, role=grant.role,
                     scope=RoleScope(type=grant.scope_type, id=grant.scope_id),
                     created_at=grant.created_at, updated_at=grant.updated_at)


def role_invite_view(invite: people.RoleInvite, code: str) -> RoleInvite:
    return RoleInvite(id=invite.id, role=invite.role, scope=RoleScope(type=invite.scope_type, id=invite.scope_id),
                      code=code, expires_at=invite.expires_at, created_at=invite.created_at)


def invite_view(invite: people.HouseholdInvite, code: str) -> Invite:
    return Invite(id=invite.id, household_id=invite.household_id, role=invite.role, head=invite.head, code=code,
                  expires_at=invite.expires_at, created_at=invite.created_at)


def named_role(data: RoleCreate) -> str | None:
    """The body's ``role``, None when left out (the path names the role then)."""
    return None if data.role is UNSET else data.role


def me_view(profile: Profile) -> Me:
    person = profile.person
    return Me(id=person.id, nickname=person.nickname, real_name=person.real_name,
              phone=mask_phone(person.phone), memberships=[membership_view(m) for m in profile.memberships],
              roles=[role_view(r) for r in profile.roles], points_balance=profile.points_balance,
              created_at=person.created_at, updated_at=person.updated_at)


def organization_view(organization: people.Organization) -> Organization:
    return Organization(id=organization.id, name=organization.name, kind=organization.kind,
                        community_id=organization.community_id, external_id=organization.external_id,
                        created_at=organization.created_at, updated_at=organization.updated_at)


def member_view(member: people.Member, visibility: Visibility) -> Member:
    phones = visibility.person_ids if visibility.phones is None else visibility.phones
    return Member(
        membership_id=member.id, display_name=display_name(member.real_name, member.nickname),
        unit_label=member.unit_label, role=member.role, head=member.head,
        person_id=member.person_id if visibility.person_ids else None,
        phone=member.phone if visibility.contact else (mask_phone(member.phone) if phones else None),
        real_name=member.real_name if visibility.contact else None, joined_at=member.joined_at,
    )


def audit_view(entry: people.AuditEntry) -> AuditEntry:
    return AuditEntry(id=entry.id, action=entry.action,
                      actor=AuditActor(client_id=entry.actor_client, person_id=entry.actor_person),
                      subject=AuditSubject(type=entry.subject_type, id=entry.subject_id),
                      fields=list(entry.fields), request_id=entry.request_id, created_at=entry.created_at)
