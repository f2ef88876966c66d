"""The talent pool (楼组达人库): my talents and my consent to show them, the community's
visible talents (masked names), leaders' invitations of a talent to a task or an activity, and
the invited person's answer. Erasure removes the person's talents and invitations."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec

from domain import talents as rules
from domain.errors import NotFound, RuleViolation
from domain.permissions import Place, Principal, ensure_for
from domain.talents import Invitation, Listed, Profile, Talent
from store import talents as store
from store.paging import Keyset
from usecases import places, street_settings, tasks
from usecases.activity_signups import visible_activity
from usecases.actors import actor_for
from usecases.kernel import person_of, record_event
from usecases.moderation import ContentChecker


class TalentItem(msgspec.Struct, kw_only=True):
    tag: str
    description: str = ""


class Consent(msgspec.Struct, kw_only=True):
    version: str


class PutTalents(msgspec.Struct, kw_only=True):
    talents: list[TalentItem] = []
    available_for: list[str] = []
    visible: bool = False
    consent: Consent | None = None


class NewInvitation(msgspec.Struct, kw_only=True):
    task_id: str | None = None
    activity_id: str | None = None
    message: str = ""


class Answer(msgspec.Struct, kw_only=True):
    to: str  # accepted | declined


class _Subject(msgspec.Struct):
    """A profile as the subject of its event: the person's, in the street."""

    id: str
    street_id: str
    community_id: None = None
    building_id: None = None


def _empty(street_id: str, person_id: str) -> Profile:
    return Profile(street_id, person_id, (), (), False, None, None, None, None, None)


async def mine(conn: asyncpg.Connection, who: Principal) -> Profile:
    person = person_of(await actor_for(conn, who))
    return await store.profile(conn, who.street_id, person) or _empty(who.street_id, person)


async def put_mine(conn: asyncpg.Connection, who: Principal, command: PutTalents, now: datetime,
                   checker: ContentChecker | None = None) -> Profile:
    """Replace my profile. ``visible: true`` needs the current consent version (422
    ``consent_required``); ``visible: false`` withdraws consent. Tags: the fixed list and the
    street's ``extra_talent_tags`` (422 ``unknown_talent_tag``)."""
    person = person_of(await actor_for(conn, who))
    version = command.consent.version if command.consent else None
    rules.check_consent(command.visible, version)
    talents = tuple(Talent(tag=t.tag, description=t.description) for t in command.talents)
    settings = await street_settings.settings_of(conn, who.street_id)
    rules.check_talents(talents, settings.extra_talent_tags)
    descriptions = [t.description for t in talents if t.description]
    if checker is not None and descriptions:  # shown to neighbours: decided at once, never held
        await checker.check_now(conn, who, descriptions, "talent")
    before = await store.profile(conn, who.street_id, person, lock=True)
    stamps = rules.consent_stamps(before, command.visible, now)
    kept_version = version if command.visible else (before.consent_version if before else None)
    saved = await store.put(conn, who.street_id, person, talents, tuple(dict.fromkeys(command.available_for)),
                            command.visible, kept_version, stamps)
    await record_event(conn, "talent_profile.updated", "person", _Subject(person, who.street_id), {
        "visible": saved.visible, "tags": sorted({t.tag for t in saved.talents}),
        "consent_version": saved.consent_version})
    return saved


async def community_talents(conn: asyncpg.Connection, who: Principal, community_id: str, tag: str | None,
                            keyset: Keyset) -> list[Listed]:
    """Those who see the community (its residents and leaders) see its visible talents."""
    actor = await actor_for(conn, who)
    community = await places.visible_community(conn, actor, community_id)
    return await store.page_visible(conn, who.street_id, community.id, tag, keyset)


async def invite(conn: asyncpg.Connection, who: Principal, person_id: str, command: NewInvitation) -> Invitation:
    """A leader of the task's or the activity's place invites a visible talent."""
    actor = await actor_for(conn, who)
    if (command.task_id is None) == (command.activity_id is None):
        raise RuleViolation("invitation_target_required")
    if command.task_id is not None:
        task = await tasks.visible_task(conn, actor, command.task_id)
        place = Place(task.street_id, community_id=task.community_id, building_id=task.building_id)
    else:
        assert command.activity_id is not None
        activity = await visible_activity(conn, actor, command.activity_id)
        place = activity.place
    ensure_for(actor, actor.leader_of(place))
    talent = await store.profile(conn, who.street_id, person_id)
    if talent is None or not talent.visible:
        raise NotFound("not_found")
    assert place.community_id is not None
    invitation = await store.insert_invitation(conn, {
        "street_id": place.street_id, "community_id": place.community_id, "building_id": place.building_id,
        "person_id": person_id, "invited_by": actor.person_id, "task_id": command.task_id,
        "activity_id": command.activity_id, "message": command.message})
    await record_event(conn, "talent_invitation.created", "talent_invitation", invitation, {
        "person_id": person_id, "task_id": command.task_id, "activity_id": command.activity_id,
        "status": invitation.status})
    return invitation


async def my_invitations(conn: asyncpg.Connection, who: Principal, keyset: Keyset,
                         status: str | None) -> list[Invitation]:
    person = person_of(await actor_for(conn, who))
    return await store.page_invitations(conn, who.street_id, person, keyset, status)


async def answer(conn: asyncpg.Connection, who: Principal, invitation_id: str, command: Answer,
                 now: datetime) -> Invitation:
    """The invited person accepts or declines, once."""
    person = person_of(await actor_for(conn, who))
    invitation = await store.invitation(conn, who.street_id, invitation_id, lock=True)
    if invitation is None or invitation.person_id != person:
        raise NotFound("not_found")
    rules.check_answer(invitation, command.to)
    answered = await store.answer(conn, invitation.id, command.to, now)
    await record_event(conn, f"talent_invitation.{command.to}", "talent_invitation", answered, {
        "person_id": person, "task_id": answered.task_id, "activity_id": answered.activity_id,
        "status": answered.status})
    return answered


async def erase(conn: asyncpg.Connection, person_id: str) -> None:
    await store.erase(conn, person_id)


# The event types built above from the answer (the catalogue, domain/events.py).
APPENDS = ("talent_invitation.accepted", "talent_invitation.declined")
