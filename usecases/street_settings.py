"""A street's settings (积分细则 and the like): the points' expiry, the leaders' award cap,
the most points an activity may give, the fund's approvals and publicity, extra talent tags.
Read by street-wide readers, changed by street-wide writers; a street that never set them
has the defaults. Choosing a yearly expiry schedules its due job (usecases/points_jobs.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType

from domain.permissions import Principal, ensure_for, may_set_street_settings
from domain.points import StreetSettings
from store import points as store
from usecases.actors import actor_for
from usecases.kernel import changes_of, record_event
from usecases.points_jobs import schedule_expiry


class ChangeSettings(msgspec.Struct, kw_only=True):
    points_expiry: str | UnsetType = UNSET
    points_expiry_grace_days: int | UnsetType = UNSET
    award_cap_per_leader_per_day: int | UnsetType = UNSET
    max_points_per_attendee: int | UnsetType = UNSET
    fund_two_approvers: bool | UnsetType = UNSET
    fund_street_signoff_above_fen: int | None | UnsetType = UNSET
    fund_publicity_days: int | UnsetType = UNSET
    extra_talent_tags: list[str] | UnsetType = UNSET


class _Street(msgspec.Struct, frozen=True):
    """The street as the subject of its settings' events."""

    id: str
    street_id: str
    community_id: None = None
    building_id: None = None


async def settings_of(conn: asyncpg.Connection, street_id: str) -> StreetSettings:
    """For other features' rules (the award cap, the fund's approvals)."""
    return await store.settings(conn, street_id)


async def get(conn: asyncpg.Connection, who: Principal) -> StreetSettings:
    actor = await actor_for(conn, who)
    ensure_for(actor, may_set_street_settings(actor, write=False), "street:read")
    return await store.settings(conn, who.street_id)


async def update(conn: asyncpg.Connection, who: Principal, command: ChangeSettings,
                 precondition: Callable[[StreetSettings], None], now: datetime) -> StreetSettings:
    actor = await actor_for(conn, who)
    ensure_for(actor, may_set_street_settings(actor, write=True))
    current = await store.settings(conn, who.street_id, lock=True)
    precondition(current)
    changes = changes_of(command)
    if "extra_talent_tags" in changes:
        changes["extra_talent_tags"] = list(dict.fromkeys(changes["extra_talent_tags"]))
    if not changes:
        return current
    updated = await store.change_settings(conn, who.street_id, changes)
    if updated.points_expiry == "calendar_year":
        await schedule_expiry(conn, updated, await store.timezone_of(conn, who.street_id), now)
    await record_event(conn, "street.settings_changed", "street", _Street(who.street_id, who.street_id),
                       {"changed": sorted(changes)})
    return updated


