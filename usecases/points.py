"""Public-welfare points (公益积分) on the ledger (domain/ledger.py, store/ledger.py): one
account per person per street and the street's issuing account. Other features credit points
through here (a verified task; activities and prizes next) in the transaction of the change
that earned them, and hold and settle them (a reward's redemption); leaders award them within
the street's daily cap; ``points_jobs`` expires them yearly when the street says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg
import msgspec

from domain import points as rules
from domain.errors import NotFound
from domain.ledger import Account, Entry, Transfer
from domain.permissions import Principal, ensure_for, may_award_points
from domain.points import LEDGER, Standing
from store import ledger
from store import points as store
from store.paging import Keyset
from usecases import members, places
from usecases.actors import actor_for
from usecases.kernel import actor_ref, record_event

# The event types built below from a transfer's kind (the catalogue, domain/events.py).
APPENDS = ("points.credited", "points.held", "points.debited", "points.hold_posted", "points.hold_voided")

REFUSAL = "insufficient_points"


class Award(msgspec.Struct, kw_only=True):
    person_id: str
    amount: int
    reason: str = "award"  # award | volunteer_hours
    note: str = ""


@dataclass(frozen=True)
class Points:
    balance: int
    held: int
    available: int


@dataclass(frozen=True)
class Statistics:
    issued: int
    redeemed: int
    expired: int


@dataclass(frozen=True)
class _Moved:
    """A transfer as the subject of its event (points live in the street, not in a place)."""

    id: str
    street_id: str
    community_id: None = None
    building_id: None = None


async def person_account(conn: asyncpg.Connection, street_id: str, person_id: str) -> Account:
    return await ledger.account(conn, street_id, LEDGER, "person", person_id)


async def issuing_account(conn: asyncpg.Connection, street_id: str) -> Account:
    return await ledger.account(conn, street_id, LEDGER, "issuing", street_id, may_go_negative=True)


async def balance(conn: asyncpg.Connection, person_id: str, street_id: str) -> int:
    """What the person may spend in the street (``GET /v1/me``'s ``points_balance``)."""
    found = await ledger.find_account(conn, street_id, LEDGER, "person", person_id)
    return found.available if found else 0


async def mine(conn: asyncpg.Connection, who: Principal) -> Points:
    person = (await members.live_person(conn, who)).id
    found = await ledger.find_account(conn, who.street_id, LEDGER, "person", person)
    return Points(found.balance, found.held, found.available) if found else Points(0, 0, 0)


async def my_transfers(conn: asyncpg.Connection, who: Principal, keyset: Keyset) -> list[Entry]:
    person = (await members.live_person(conn, who)).id
    found = await ledger.find_account(conn, who.street_id, LEDGER, "person", person)
    return [] if found is None else await ledger.page_of_account(conn, found.id, keyset)


async def _event(conn: asyncpg.Connection, type: str, transfer: Transfer, person_id: str, delta: int) -> None:
    await record_event(conn, type, "transfer", _Moved(transfer.id, transfer.street_id), {
        "person_id": person_id, "delta": delta, "reason": transfer.reason, "status": transfer.status,
        "source": {"type": transfer.source_type, "id": transfer.source_id}})


async def credit(conn: asyncpg.Connection, *, street_id: str, person_id: str, amount: int, reason: str,
                 source_type: str | None, source_id: str | None, at: datetime, note: str = "",
                 created_by: str | None = None) -> Transfer | None:
    """Issue points to a person, in the caller's transaction; a source credits at most once
    (None when it already has)."""
    moved = await ledger.transfer(
        conn, debit=await issuing_account(conn, street_id), credit=await person_account(conn, street_id, person_id),
        amount=amount, reason=reason, at=at, refusal=REFUSAL,
        source=(source_type, source_id) if source_type else None, note=note, created_by=created_by)
    if moved is not None:
        await _event(conn, "points.credited", moved, person_id, amount)
    return moved


async def debit(conn: asyncpg.Connection, *, street_id: str, person_id: str, amount: int, reason: str,
                source: tuple[str, str], at: datetime, pending: bool = False) -> Transfer | None:
    """Take points from a person back to the street (a redemption's hold, expiry, erasure):
    422 ``insufficient_points`` when their available points do not cover it."""
    moved = await ledger.transfer(
        conn, debit=await person_account(conn, street_id, person_id), credit=await issuing_account(conn, street_id),
        amount=amount, reason=reason, at=at, refusal=REFUSAL, source=source, pending=pending)
    if moved is not None:
        await _event(conn, "points.held" if pending else "points.debited", moved, person_id, -amount)
    return moved


async def settle(conn: asyncpg.Connection, transfer_id: str, to: str, person_id: str, at: datetime) -> Transfer:
    """Post or void a held amount (a redemption fulfilled, or cancelled or expired)."""
    settled = await ledger.settle(conn, transfer_id, to, at)
    await _event(conn, f"points.hold_{to}", settled, person_id, -settled.amount)
    return settled


async def award(conn: asyncpg.Connection, who: Principal, command: Award, now: datetime) -> Entry:
    """A leader's award to a resident of a building they lead, within the street's cap per
    leader per day (the day in the street's time zone). The leader's awards are serialised,
    so two at once cannot both pass the cap."""
    actor = await actor_for(conn, who)
    homes = await members.places_of_person(conn, who.street_id, command.person_id)
    if not homes:
        raise NotFound("not_found")
    ensure_for(actor, may_award_points(actor, command.person_id, homes))
    by_type, by_id = actor_ref(actor)
    leader = f"{by_type}:{by_id}"
    await ledger.lock_key(conn, f"points.award:{who.street_id}:{leader}")
    settings = await store.settings(conn, who.street_id)
    start, end = rules.day_bounds(now, await store.timezone_of(conn, who.street_id))
    awarded = await ledger.moved_by(conn, who.street_id, LEDGER, leader, list(rules.AWARD_REASONS), start, end)
    rules.check_award(awarded, command.amount, settings.award_cap_per_leader_per_day)
    moved = await credit(conn, street_id=who.street_id, person_id=command.person_id, amount=command.amount,
                         reason=command.reason, source_type=None, source_id=None, at=now, note=command.note,
                         created_by=leader)
    assert moved is not None
    return Entry(moved.id, moved.amount, moved.reason, None, None, moved.note, moved.status, moved.created_at)


async def expire_year(conn: asyncpg.Connection, street_id: str, run_year: int, at: datetime) -> int:
    """Each person loses max(0, available − earned since 1 January of the year that ended);
    the source names the run, so a run repeated takes nothing twice. Returns the total."""
    since = rules.year_that_ended_starts(run_year, await store.timezone_of(conn, street_id))
    total = 0
    for person_id in await store.persons_with_accounts(conn, street_id):
        account = await ledger.locked(conn, (await person_account(conn, street_id, person_id)).id)
        earned = await ledger.credited_since(conn, account.id, sorted(rules.EARNING), since)
        if lost := rules.expiring(account.available, earned):
            if await debit(conn, street_id=street_id, person_id=person_id, amount=lost, reason="expiry",
                           source=("expiry", str(run_year)), at=at):
                total += lost
    return total


async def forfeit(conn: asyncpg.Connection, person_id: str, at: datetime) -> None:
    """Erasure: a person's available points in every street go back to the street."""
    for found in await ledger.accounts_of_owner(conn, LEDGER, "person", person_id):
        account = await ledger.locked(conn, found.id)
        if account.available > 0:
            await debit(conn, street_id=account.street_id, person_id=person_id, amount=account.available,
                        reason="erasure", source=("person", person_id), at=at)


async def statistics(conn: asyncpg.Connection, street_id: str, start: datetime | None = None,
                     end: datetime | None = None) -> Statistics:
    """Points issued (every earning reason), redeemed (fulfilled redemptions) and expired in
    [start, end), for the street's statistics."""
    totals = await ledger.totals_by_reason(conn, street_id, LEDGER, start, end)
    return Statistics(issued=sum(totals.get(reason, 0) for reason in rules.EARNING),
                      redeemed=totals.get("redemption", 0), expired=totals.get("expiry", 0))


async def leaderboard(conn: asyncpg.Connection, who: Principal, building_id: str, period: str, now: datetime,
                      limit: int) -> list[Standing]:
    """Those who see the building see its leaderboard: residents who opted in, only."""
    actor = await actor_for(conn, who)
    await places.visible_building(conn, actor, building_id)
    since = rules.period_start(period, now, await store.timezone_of(conn, who.street_id))
    return await store.leaderboard(conn, who.street_id, building_id, since, limit)


