"""Co-building agreements (共建协议): community staff draft one between the community (or one of
its buildings) and a partner organisation; a staff member signs for the community and a member
of the organisation for it; once both signed, the service moves it to ``active`` and
``expired`` at its dates and raises ``agreement.expiring`` once, 30 days before its end
(usecases/agreements_jobs.py). Either side may terminate it. Rules: domain/agreements.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain import agreements as rules
from domain.agreements import Agreement
from domain.errors import RuleViolation
from domain.permissions import (
    Actor,
    Place,
    Principal,
    ensure_for,
    may_end_agreement,
    may_run_projects,
    may_see_agreement,
    signing_sides,
)
from store import agreements as store
from store.paging import Keyset
from usecases import organizations, places
from usecases.actors import actor_for
from usecases.agreements_jobs import advance, schedule_dates
from usecases.kernel import actor_ref, changes_of, person_of, record_event, visible_or_404
from usecases.lists import check_text, community_of_lists
from usecases.moderation import ContentChecker


class Commitment(msgspec.Struct, frozen=True):
    party: str  # community | organization
    text: str


class NewAgreement(msgspec.Struct, kw_only=True):
    organization_id: str
    title: str
    commitments: list[Commitment] = []
    starts_on: date
    ends_on: date
    building_id: str | None = None


class ChangeAgreement(msgspec.Struct, kw_only=True):
    organization_id: str | UnsetType = UNSET
    title: str | UnsetType = UNSET
    commitments: list[Commitment] | UnsetType = UNSET
    starts_on: date | UnsetType = UNSET
    ends_on: date | UnsetType = UNSET
    building_id: str | None | UnsetType = UNSET


class Sign(msgspec.Struct, kw_only=True):
    side: str | None = None


class MoveAgreement(msgspec.Struct, kw_only=True):
    to: str
    reason: str | None = None


# Reading

async def visible_agreement(conn: asyncpg.Connection, actor: Actor, agreement_id: str, *,
                            lock: bool = False) -> Agreement:
    found = await store.get(conn, actor.principal.street_id, agreement_id, lock=lock)
    return visible_or_404(found, lambda a: may_see_agreement(actor, rules.place_of(a), a.organization_id))


async def get(conn: asyncpg.Connection, who: Principal, agreement_id: str) -> Agreement:
    return await visible_agreement(conn, await actor_for(conn, who), agreement_id)


async def page(conn: asyncpg.Connection, who: Principal, community_id: str, keyset: Keyset, *,
               status: str | None, organization_id: str | None) -> list[Agreement]:
    actor = await actor_for(conn, who)
    place = await community_of_lists(conn, actor, community_id)
    # A member of a partner organisation who does not see the community sees its own agreements.
    only = None if actor.sees(place) else sorted(actor.grants.organizations)
    return await store.page(conn, who.street_id, community_id, keyset, status=status,
                            organization_id=organization_id, organization_ids=only)


# Drafting

async def _parties(conn: asyncpg.Connection, place: Place, organization_id: str, building_id: str | None) -> Place:
    found = await organizations.find(conn, place.street_id, organization_id)
    if found is None or found.community_id not in (None, place.community_id):
        raise RuleViolation("invalid_organization")
    return await places.place_in_community(conn, place, building_id)


def _texts(title: str, commitments: list[Commitment]) -> list[str]:
    return [title, *(c.text for c in commitments)]


async def create(conn: asyncpg.Connection, who: Principal, community_id: str, command: NewAgreement,
                 checker: ContentChecker | None = None) -> Agreement:
    actor = await actor_for(conn, who)
    place = await community_of_lists(conn, actor, community_id)
    ensure_for(actor, may_run_projects(actor, place))
    place = await _parties(conn, place, command.organization_id, command.building_id)
    rules.check_period(command.starts_on, command.ends_on)
    await check_text(checker, conn, who, _texts(command.title, command.commitments))
    by_type, by_id = actor_ref(actor)
    agreement = await store.insert(conn, {
        "street_id": place.street_id, "community_id": place.community_id, "building_id": place.building_id,
        "organization_id": command.organization_id, "title": command.title,
        "commitments": msgspec.to_builtins(command.commitments), "starts_on": command.starts_on,
        "ends_on": command.ends_on, "created_by_type": by_type, "created_by_id": by_id})
    await record_event(conn, "agreement.created", "agreement", agreement, {
        "organization_id": agreement.organization_id, "status": agreement.status,
        "starts_on": agreement.starts_on.isoformat(), "ends_on": agreement.ends_on.isoformat()})
    return agreement


async def update(conn: asyncpg.Connection, who: Principal, agreement_id: str, command: ChangeAgreement,
                 precondition: Callable[[Agreement], None], checker: ContentChecker | None = None) -> Agreement:
    """Community staff change a draft; a change clears the signatures it already has (each side
    signs the text it read)."""
    actor = await actor_for(conn, who)
    agreement = await visible_agreement(conn, actor, agreement_id, lock=True)
    ensure_for(actor, may_run_projects(actor, rules.place_of(agreement)))
    precondition(agreement)
    rules.ensure_draft(agreement.status)
    changes = changes_of(command)
    if not changes:
        return agreement
    community = Place(agreement.street_id, community_id=agreement.community_id)
    await _parties(conn, community, changes.get("organization_id", agreement.organization_id),
                   changes.get("building_id", agreement.building_id))
    rules.check_period(changes.get("starts_on", agreement.starts_on), changes.get("ends_on", agreement.ends_on))
    if "commitments" in changes:
        changes["commitments"] = msgspec.to_builtins(command.commitments)
    await check_text(checker, conn, who, [changes.get("title", ""),
                                          *(c["text"] for c in changes.get("commitments", []))])
    updated = await store.update(conn, agreement.id, changes)
    await record_event(conn, "agreement.updated", "agreement", updated, {"changed": sorted(changes)})
    return updated


# Signing and ending

async def sign(conn: asyncpg.Connection, who: Principal, agreement_id: str, command: Sign, now: datetime,
               precondition: Callable[[Agreement], None] = lambda current: None) -> Agreement:
    """A side's signature; the second one makes the agreement ``signed`` — and, when its dates
    have come, ``active`` in the same transaction (the later moves are due jobs)."""
    actor = await actor_for(conn, who)
    person = person_of(actor)
    agreement = await visible_agreement(conn, actor, agreement_id, lock=True)
    precondition(agreement)  # If-Match: a side signs the version it read
    place = rules.place_of(agreement)
    when = rules.moments(agreement.starts_on, agreement.ends_on, await store.timezone_of(conn, agreement.street_id))
    side = rules.signing_side(agreement.status, signing_sides(actor, place, agreement.organization_id),
                              command.side, {s: agreement.signed_by(s) for s in rules.SIDES}, when.ends_at, now)
    signed = await store.sign(conn, agreement.id, side=side, person_id=person, at=now)
    await record_event(conn, "agreement.signed", "agreement", signed, {"side": side, "person_id": person})
    if signed.community_signed_at and signed.organization_signed_at:
        signed = await store.move(conn, signed.id, to="signed", at=now)
        by_type, by_id = actor_ref(actor)
        await record_event(conn, "agreement.status_changed", "agreement", signed, {
            "from": "draft", "to": "signed", "reason": None, "by": {"type": by_type, "id": by_id}})
        signed = await advance(conn, signed, when, now)
        await schedule_dates(conn, signed, when)
    return signed


async def transition(conn: asyncpg.Connection, who: Principal, agreement_id: str, command: MoveAgreement,
                     precondition: Callable[[Agreement], None], now: datetime) -> Agreement:
    """Either side terminates a draft, signed or active agreement, with a reason."""
    actor = await actor_for(conn, who)
    agreement = await visible_agreement(conn, actor, agreement_id, lock=True)
    ensure_for(actor, may_end_agreement(actor, rules.place_of(agreement), agreement.organization_id))
    precondition(agreement)
    rules.agreement_move(agreement.status, command.to, command.reason)
    ended = await store.move(conn, agreement.id, to="terminated", at=now, reason=command.reason,
                             by=actor.person_id)
    by_type, by_id = actor_ref(actor)
    await record_event(conn, "agreement.status_changed", "agreement", ended, {
        "from": agreement.status, "to": "terminated", "reason": None, "by": {"type": by_type, "id": by_id}})
    return ended
