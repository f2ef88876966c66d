"""Wire types of the talent pool and invitations, and their views of domain/talents.py's
models."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.conventions.openapi import Input
from api.schemas.common import Stamp, id_text, text
from domain import talents as domain

Tag = text(20, min_length=1, example="repair")  # the fixed list's, or one of the street's extra_talent_tags
TalentDescription = text(500, example="会修水电、换灯泡，周末有空")
Message = text(500, example="下周六楼道灯维修，想请您帮忙看看")
AvailableFor = Literal["task", "activity"]
InvitationStatus = Literal["pending", "accepted", "declined"]
TaskRef = id_text("tsk_5t7v9x2b4d6f8h1k")
ActivityRef = id_text("act_5t7v9x2b4d6f8h1k")


class Talent(msgspec.Struct):
    tag: Tag  # type: ignore[valid-type]
    description: TalentDescription = ""  # type: ignore[valid-type]


class ConsentGiven(Input):
    version: Annotated[str, Meta(min_length=1, max_length=32, examples=[domain.CONSENT_VERSION])]


class TalentsPut(Input):
    talents: Annotated[list[Talent], Meta(max_length=domain.MAX_TALENTS)] = []
    available_for: Annotated[list[AvailableFor], Meta(max_length=2)] = []
    visible: bool = False
    consent: ConsentGiven | None = None


class Consent(msgspec.Struct):
    version: Annotated[str | None, Meta(description="The notice consented to, while visible")]
    current_version: Annotated[str, Meta(description="The notice's current version: send it to become visible",
                                         examples=[domain.CONSENT_VERSION])]
    given_at: Stamp | None
    withdrawn_at: Stamp | None


class MyTalents(msgspec.Struct):
    talents: list[Talent]
    available_for: list[AvailableFor]
    visible: bool
    consent: Consent
    updated_at: Stamp | None


class CommunityTalent(msgspec.Struct):
    person_id: str
    display_name: Annotated[str, Meta(description="Masked as in member lists; never a phone or real name",
                                      examples=["张*华"])]
    talents: list[Talent]
    available_for: list[AvailableFor]
    updated_at: Stamp


class InvitationCreate(Input):
    task_id: TaskRef | None = None  # type: ignore[valid-type]
    activity_id: ActivityRef | None = None  # type: ignore[valid-type]
    message: Message = ""  # type: ignore[valid-type]


class Invitation(msgspec.Struct):
    id: Annotated[str, Meta(examples=["tiv_5t7v9x2b4d6f8h1k"])]
    person_id: str
    community_id: str
    building_id: str | None
    task_id: str | None
    activity_id: str | None
    message: str
    status: InvitationStatus
    accepted_at: Stamp | None
    declined_at: Stamp | None
    created_at: Stamp
    updated_at: Stamp


class InvitationTransition(Input):
    to: Literal["accepted", "declined"]


def _talents(talents: tuple[domain.Talent, ...]) -> list[Talent]:
    return [Talent(tag=t.tag, description=t.description) for t in talents]


def my_talents_view(profile: domain.Profile) -> MyTalents:
    return MyTalents(
        talents=_talents(profile.talents), available_for=list(profile.available_for),  # type: ignore[arg-type]
        visible=profile.visible,
        consent=Consent(version=profile.consent_version if profile.visible else None,
                        current_version=domain.CONSENT_VERSION, given_at=profile.consent_given_at,
                        withdrawn_at=profile.consent_withdrawn_at),
        updated_at=profile.updated_at)


def community_talent_view(listed: domain.Listed) -> CommunityTalent:
    return CommunityTalent(person_id=listed.person_id, display_name=listed.display_name,
                           talents=_talents(listed.talents),
                           available_for=list(listed.available_for),  # type: ignore[arg-type]
                           updated_at=listed.updated_at)


def invitation_view(invitation: domain.Invitation) -> Invitation:
    return Invitation(
        id=invitation.id, person_id=invitation.person_id, community_id=invitation.community_id,
        building_id=invitation.building_id, task_id=invitation.task_id, activity_id=invitation.activity_id,
        message=invitation.message, status=invitation.status,  # type: ignore[arg-type]
        accepted_at=invitation.accepted_at, declined_at=invitation.declined_at, created_at=invitation.created_at,
        updated_at=invitation.updated_at)
