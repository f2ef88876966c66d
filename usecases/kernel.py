"""What every feature's use cases do the same way, written once: find a thing the caller may
see (else 404, never revealing that it exists), say where it lives, record its event in the
outbox, schedule its due jobs, and name who acted.

A feature's model (a frozen dataclass in ``domain/<feature>.py``, made by its store) carries
``id``, ``street_id``, ``community_id`` and ``building_id``; that is all the kernel needs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

import asyncpg
import msgspec

from domain.errors import Forbidden, NotFound, RuleViolation
from domain.permissions import Actor, Place, Tie
from store import jobs
from store.events import Subject, append_event


class Placed(Protocol):
    """A thing that lives in a place of the street."""

    @property
    def id(self) -> str: ...
    @property
    def street_id(self) -> str: ...
    @property
    def community_id(self) -> str | None: ...
    @property
    def building_id(self) -> str | None: ...


T = TypeVar("T")


def place_of(thing: Placed) -> Place:
    return Place(thing.street_id, community_id=thing.community_id, building_id=thing.building_id)


def visible_or_404(thing: T | None, may_see: Callable[[T], bool]) -> T:
    """The thing when the caller may see it; 404 ``not_found`` when it is missing *or* hidden,
    so that a caller cannot tell the two apart."""
    if thing is None or not may_see(thing):
        raise NotFound("not_found")
    return thing


async def record_event(conn: asyncpg.Connection, type: str, subject: str, thing: Placed,
                       data: dict[str, Any] | None = None, *, occurred_at: datetime | None = None) -> str:
    """Append ``type`` about ``thing`` to the outbox, in the caller's transaction. The data
    always names the thing (``<subject>_id``); the outbox keeps free text out of it."""
    return await append_event(
        conn, type=type, street_id=thing.street_id, subject=Subject(subject, thing.id),
        community_id=thing.community_id, building_id=thing.building_id,
        data={f"{subject}_id": thing.id, **(data or {})}, occurred_at=occurred_at)


async def schedule_job(conn: asyncpg.Connection, kind: str, run_at: datetime, payload: msgspec.Struct, *,
                       street_id: str | None = None, dedupe_key: str | None = None) -> str | None:
    """Schedule a due job with a typed payload (the handler decodes the same Struct)."""
    return await jobs.schedule(conn, kind=kind, run_at=run_at, payload=msgspec.to_builtins(payload),
                               street_id=street_id, dedupe_key=dedupe_key)


async def schedule_jobs(conn: asyncpg.Connection, due: list[tuple[str, datetime, msgspec.Struct, str | None]], *,
                        street_id: str | None = None) -> None:
    """Several due jobs — (kind, run_at, payload, dedupe_key) each — in one round trip."""
    await jobs.schedule_many(conn, [(kind, run_at, msgspec.to_builtins(payload), key)
                                    for kind, run_at, payload, key in due], street_id=street_id)


def person_of(actor: Actor) -> str:
    """The signed-in person behind the caller; 403 ``person_required`` for a platform client."""
    if actor.person_id is None:
        raise Forbidden("person_required")
    return actor.person_id


def acting_household(actor: Actor, building_id: str, requested: str | None,
                     qualifies: Callable[[Tie], bool] = lambda tie: True) -> str:
    """The household a person acts for in a building: the one named, else their only
    qualifying one; 422 ``household_required`` when they have several and named none,
    422 ``household_not_eligible`` when none qualifies (or the named one does not)."""
    person_of(actor)
    ties = [t for t in actor.grants.households.values() if t.building_id == building_id and qualifies(t)]
    ids = sorted(t.household_id for t in ties)
    if requested is not None:
        if requested not in ids:
            raise RuleViolation("household_not_eligible")
        return requested
    if not ids:
        raise RuleViolation("household_not_eligible")
    if len(ids) > 1:
        raise RuleViolation("household_required")
    return ids[0]


def actor_ref(actor: Actor | None) -> tuple[str, str | None]:
    """Who acted, as stored beside a change: ("system", None), ("person", id) or ("client", id)."""
    if actor is None:
        return "system", None
    if actor.person_id is not None:
        return "person", actor.person_id
    return "client", actor.principal.client_id


def changes_of(command: msgspec.Struct) -> dict[str, Any]:
    """The fields a partial update actually carries (``UNSET`` ones are left alone), nested
    commands included."""
    return {
        name: changes_of(value) if isinstance(value, msgspec.Struct) else value
        for name in command.__struct_fields__
        if (value := getattr(command, name)) is not msgspec.UNSET
    }
