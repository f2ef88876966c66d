"""Wire types of persons, memberships, household invites, members and the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, name_text
from api.schemas.roles import RoleGrant, role_view
from domain import people
from domain.people import display_name, mask_phone
from usecases.me import Profile
from usecases.members import Visibility

PersonId = id_text("psn_4k8m2q6x9r3t7v1w")
MemberRole = Literal["owner", "tenant", "family"]
Code = Annotated[str, Meta(min_length=1, max_length=64, examples=["K7M2-9QXP-4RTV"])]
Nickname = name_text(40, example="阳台种花的老王")
RealName = name_text(40, example="王建国")


class Membership(msgspec.Struct):
    id: Annotated[str, Meta(examples=["mbr_2m6q9x3k7r1t5v8w"])]
    household_id: str
    building_id: str
    community_id: str
    unit_label: Annotated[str, Meta(examples=["3-1-201"])]
    role: MemberRole
    head: bool
    joined_at: Stamp


class Me(msgspec.Struct):
    id: PersonId
    nickname: str | None
    real_name: str | None
    phone: Annotated[str | None, Meta(description="Masked; set through POST /v1/me/phone",
                                      examples=["138****8000"])]
    memberships: list[Membership]
    roles: list[RoleGrant]
    points_balance: Annotated[int, Meta(description="Available points in the token's street", examples=[120])]
    show_on_leaderboard: Annotated[bool, Meta(description="Shown on the building's points leaderboards")]
    created_at: Stamp
    updated_at: Stamp


class MeUpdate(Input):
    nickname: Nickname | None | UnsetType = UNSET
    real_name: RealName | None | UnsetType = UNSET
    show_on_leaderboard: bool | UnsetType = UNSET


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


def invite_view(invite: people.HouseholdInvite, code: str) -> Invite:
    return Invite(id=invite.id, household_id=invite.household_id, role=invite.role, head=invite.head, code=code,
                  expires_at=invite.expires_at, created_at=invite.created_at)


def me_view(profile: Profile) -> Me:
    person = profile.person
    return Me(id=person.id, nickname=person.nickname, real_name=person.real_name,
              phone=mask_phone(person.phone), memberships=[membership_view(m) for m in profile.memberships],
              roles=[role_view(r) for r in profile.roles], points_balance=profile.points_balance,
              show_on_leaderboard=person.show_on_leaderboard,
              created_at=person.created_at, updated_at=person.updated_at)


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
