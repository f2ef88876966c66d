"""Street statistics (GET /v1/stats, integrations.md §A): who may read a scope's figures, and
the figures from the rollups. Definitions: domain/stats.py and docs/statistics.md."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg
import msgspec

from domain import stats as rules
from domain.errors import NotFound, RuleViolation
from domain.permissions import Actor, Principal, ensure_for, ensure_street_wide
from domain.stats import Group, Period, Statistics, Sums, Turnout
from store import stats as store
from usecases import places
from usecases.actors import actor_for


class StatsQuery(msgspec.Struct, frozen=True):
    scope: str = "street"
    id: str | None = None
    start: date | None = None
    end: date | None = None
    group_by: str | None = None


async def _authorise(conn: asyncpg.Connection, actor: Actor, query: StatsQuery) -> str:
    """The scope's place id: street officers and platform clients with `street:read` for the
    street; the community's staff and above; the building's leaders and above."""
    street_id = actor.principal.street_id
    if query.scope == "street":
        if query.id not in (None, street_id):
            raise NotFound("not_found")
        ensure_street_wide(actor, write=False)
        return street_id
    if query.id is None:
        raise RuleViolation("stats_id_required")
    if query.scope == "community":
        community = await places.visible_community(conn, actor, query.id)
        ensure_for(actor, actor.staff_of(places.community_place(community), write=False), "street:read")
        return community.id
    building = await places.visible_building(conn, actor, query.id)
    ensure_for(actor, actor.leader_of(places.building_place(building), write=False), "street:read")
    return building.id


def _key_of(space: rules.OpenSpace, group: str) -> str:
    return space.community_id if group == "community" else space.building_id


async def _sums(conn: asyncpg.Connection, scope: str, place_id: str, period: Period, timezone: str,
                group: str | None) -> dict[str, Sums]:
    counts = await store.counts(conn, scope, place_id, period.start, period.end, group)
    if period.whole_months if group == "month" else period.one_month:
        active = await store.month_activity(conn, scope, place_id, period.start, period.end, group)
    else:
        active = await store.activity(conn, scope, place_id, period.start, period.end, group)
    medians = await store.medians(conn, scope, place_id, period.start, period.end, group)
    spaces = await store.opening_hours(conn, scope, place_id)
    start, end = rules.local_bounds(period, timezone)
    aware = await store.awareness(conn, scope, place_id, start, end, timezone, group)
    asked = await store.questions(conn, scope, place_id, start, end, timezone, group)
    if group == "month":
        created = await store.households(conn, scope, place_id, period.end, "month")
        months = period.months()
        base = sum(n for key, n in created.items() if key < months[0][0])
        households = {}
        for key, part in months:
            base += created.get(key, 0)
            households[key] = base
        keys = [key for key, _ in months]
        minutes = {key: rules.open_minutes(spaces, part, timezone) for key, part in months}
    else:
        households = await store.households(conn, scope, place_id, period.end, group)
        keys = [""] if group is None else sorted(set(households) | set(counts) | set(active) | set(medians)
                                                 | set(aware) | set(asked))
        if group == "building":  # community-level things (a community's space) belong to no building
            keys = [k for k in keys if k]
        minutes = {key: rules.open_minutes([s for s in spaces if group is None or _key_of(s, group) == key],
                                           period, timezone) for key in keys}
    return {key: Sums(counts=counts.get(key, {}), households=households.get(key, 0),
                      acting_households=active.get(key, (0, 0))[0], active_persons=active.get(key, (0, 0))[1],
                      medians=medians.get(key, {}), open_minutes=minutes.get(key, 0),
                      awareness=aware.get(key, (0, 0)), questions=asked.get(key, (0, 0, None)))
            for key in keys}


async def statistics(conn: asyncpg.Connection, who: Principal, query: StatsQuery, now: datetime) -> Statistics:
    actor = await actor_for(conn, who)
    place_id = await _authorise(conn, actor, query)
    timezone = await store.timezone(conn, who.street_id)
    today = now.astimezone(ZoneInfo(timezone)).date()
    period = rules.period_of(today, query.start, query.end)
    scope = query.scope
    whole = (await _sums(conn, scope, place_id, period, timezone, None))[""]
    groups: list[Group] = []
    if query.group_by is not None:
        grouped = await _sums(conn, scope, place_id, period, timezone, query.group_by)
        names = {} if query.group_by == "month" else await store.names(conn, query.group_by, list(grouped))
        groups = [Group(key, names.get(key), rules.figures(sums)) for key, sums in grouped.items()]
    start, end = rules.local_bounds(period, timezone)
    votes = [Turnout(v["id"], v["subject_type"], v["subject_id"], v["community_id"], v["building_id"],
                     v["closes_at"], rules.Rate(v["ballots"], v["eligible"]))
             for v in await store.turnout(conn, scope, place_id, start, end)]
    return Statistics(scope, place_id, timezone, period, query.group_by, rules.figures(whole), groups, votes)


async def rebuild(conn: asyncpg.Connection) -> None:
    """Recompute every rollup from the raw rows (after bulk seeding; the brute-force check)."""
    await store.rebuild(conn)
