"""The self-governance fund (自治金) of a community or a building, on the kernel's ledger
(domain/fund.py says how): its figures and public entries, incomes recorded by staff or the
street's platform, and the budgets of proposals — reserved when the vote opens (called by
usecases/proposals.py in that transaction), released when the decision is not ``adopted``
or the proposal closes. Expenses are in usecases/fund_expenses.py, their posting job in
usecases/fund_jobs.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import asyncpg
import msgspec

from domain import fund as rules
from domain.errors import Conflict, NotFound, RuleViolation
from domain.fund import LEDGER, Entry, Figures, Income
from domain.ids import new_id
from domain.ledger import Account, Transfer
from domain.permissions import Actor, Place, Principal, ensure_for
from store import fund as store
from store import ledger
from store.paging import Keyset
from usecases import places
from usecases.actors import actor_for
from usecases.kernel import actor_ref, record_event


class IncomeSource(msgspec.Struct, kw_only=True):
    kind: str  # street_allocation | donation | other
    voucher_no: str
    organization_id: str | None = None


class NewIncome(msgspec.Struct, kw_only=True):
    amount_fen: int
    source: IncomeSource
    note: str = ""


@dataclass(frozen=True)
class Fund:
    """A fund's account as the subject of its events (and the place it belongs to)."""

    id: str
    street_id: str
    community_id: str
    building_id: str | None


async def _place(conn: asyncpg.Connection, actor: Actor, kind: str, place_id: str) -> Place:
    """The fund's place: a community, or a building (whose fund is public to its community)."""
    street = actor.principal.street_id
    if kind == "community":
        community = await places.find_community(conn, street, place_id)
        place = Place(street, community_id=community.id) if community else None
    else:
        building = await places.find_building(conn, street, place_id)
        place = Place(street, community_id=building.community_id, building_id=building.id) if building else None
    if place is None or not actor.sees(Place(street, community_id=place.community_id)):
        raise NotFound("not_found")
    return place


def _owner(place: Place) -> tuple[str, str]:
    return ("building", place.building_id) if place.building_id else ("community", place.community_id or "")


async def account_of(conn: asyncpg.Connection, place: Place) -> Account:
    kind, owner = _owner(place)
    return await ledger.account(conn, place.street_id, LEDGER, kind, owner)


async def _found(conn: asyncpg.Connection, place: Place) -> Account | None:
    kind, owner = _owner(place)
    return await ledger.find_account(conn, place.street_id, LEDGER, kind, owner)


def figures(account: Account | None) -> Figures:
    if account is None:
        return Figures(0, 0, 0)
    return Figures(account.balance, account.held, account.available)


async def get(conn: asyncpg.Connection, who: Principal, kind: str, place_id: str) -> Figures:
    """A fund's figures, for everyone who sees its community (zero before its first income)."""
    place = await _place(conn, await actor_for(conn, who), kind, place_id)
    return figures(await _found(conn, place))


async def entries(conn: asyncpg.Connection, who: Principal, kind: str, place_id: str, keyset: Keyset,
                  proposal_id: str | None) -> list[Entry]:
    place = await _place(conn, await actor_for(conn, who), kind, place_id)
    account = await _found(conn, place)
    return [] if account is None else await store.entries_page(conn, account.id, keyset, proposal_id)


async def all_entries(conn: asyncpg.Connection, who: Principal, kind: str, place_id: str) -> list[Entry]:
    """Every entry, oldest first (the CSV export)."""
    place = await _place(conn, await actor_for(conn, who), kind, place_id)
    account = await _found(conn, place)
    return [] if account is None else await store.all_entries(conn, account.id)


def _fund(account: Account, place: Place) -> Fund:
    return Fund(account.id, account.street_id, place.community_id or "", place.building_id)


async def record_income(conn: asyncpg.Connection, who: Principal, kind: str, place_id: str, command: NewIncome,
                        now: datetime) -> Income:
    """Community staff (and above) or the street's platform record an income; a voucher is
    recorded once per fund (409 ``duplicate_voucher``)."""
    actor = await actor_for(conn, who)
    place = await _place(conn, actor, kind, place_id)
    ensure_for(actor, actor.staff_of(place))
    source = command.source
    if source.organization_id is not None and not await store.organization_in_street(
            conn, who.street_id, source.organization_id):
        raise RuleViolation("invalid_organization", {"field": "body.source.organization_id"})
    account = await account_of(conn, place)
    await ledger.lock_key(conn, f"fund.voucher:{account.id}:{source.voucher_no}")
    if await store.voucher_taken(conn, account.id, source.voucher_no):
        raise Conflict("duplicate_voucher")
    income_id = new_id("fund_income")
    by = actor_ref(actor)
    moved = await ledger.transfer(
        conn, debit=await _side(conn, who.street_id, rules.INCOME_ACCOUNT), credit=account, amount=command.amount_fen,
        reason="income", at=now, refusal=rules.INSUFFICIENT, source=("fund_income", income_id), note=command.note,
        created_by=f"{by[0]}:{by[1]}")
    assert moved is not None
    income = await store.insert_income(
        conn, income_id=income_id, street_id=who.street_id, community_id=place.community_id or "",
        building_id=place.building_id, account_id=account.id, transfer=moved, source_kind=source.kind,
        organization_id=source.organization_id, voucher_no=source.voucher_no, note=command.note, by=by, at=now)
    await record_event(conn, "fund.income_recorded", "fund", _fund(account, place), {
        "income_id": income.id, "transfer_id": moved.id, "amount_fen": income.amount_fen,
        "source_kind": income.source_kind, "organization_id": income.organization_id})
    return income


async def _side(conn: asyncpg.Connection, street_id: str, kind: str) -> Account:
    """The street's income or spending account of the fund ledger (may go negative: it only
    gives, or only receives)."""
    return await ledger.account(conn, street_id, LEDGER, kind, street_id, may_go_negative=True)


class Budgeted(Protocol):
    """What the fund needs of a proposal (domain/proposals.py ``Proposal``)."""

    @property
    def id(self) -> str: ...
    @property
    def street_id(self) -> str: ...
    @property
    def community_id(self) -> str: ...
    @property
    def building_id(self) -> str: ...
    @property
    def budget_fen(self) -> int | None: ...


async def fund_of_proposal(conn: asyncpg.Connection, proposal: Budgeted) -> tuple[Account, Place]:
    """A building's proposals use the building's fund when it has one, else the community's."""
    building = Place(proposal.street_id, community_id=proposal.community_id, building_id=proposal.building_id)
    if await store.building_fund(conn, proposal.street_id, proposal.building_id):
        return await account_of(conn, building), building
    community = Place(proposal.street_id, community_id=proposal.community_id)
    return await account_of(conn, community), community


async def reserve(conn: asyncpg.Connection, proposal: Budgeted, now: datetime) -> Transfer | None:
    """Opening a budgeted proposal's vote holds its budget, in that transaction; 422
    ``insufficient_fund`` when the fund's available amount cannot cover it (the database's
    CHECK decides between concurrent reservations). A proposal without a budget reserves
    nothing."""
    if not proposal.budget_fen:
        return None
    account, place = await fund_of_proposal(conn, proposal)
    try:
        held = await ledger.transfer(
            conn, debit=account, credit=await _side(conn, proposal.street_id, rules.SPENDING_ACCOUNT),
            amount=proposal.budget_fen, reason="reservation", at=now, refusal=rules.INSUFFICIENT,
            source=("proposal", proposal.id), pending=True)
    except RuleViolation as refused:  # say what the fund has (as the refusing statement saw it)
        found = await ledger.account_by_id(conn, account.id)
        raise RuleViolation(refused.code, {"available_fen": max(found.available, 0),
                                           "budget_fen": proposal.budget_fen}) from None
    if held is None:  # reserved already (a vote opened once)
        return None
    await record_event(conn, "fund.reserved", "fund", _fund(account, place), {
        "proposal_id": proposal.id, "transfer_id": held.id, "amount_fen": held.amount})
    return held


async def release(conn: asyncpg.Connection, proposal_id: str, now: datetime, reason: str) -> int:
    """Void what the proposal's reservation still holds (its unspent rest), unless expenses
    still claim part of it: then the last of them to be posted or rejected releases it. Does
    nothing when there is no pending reservation. Returns the amount released."""
    reservation = await store.reservation_of(conn, proposal_id, lock=True)
    if reservation is None or reservation.status != "pending":
        return 0
    if await store.outstanding(conn, reservation.id):
        return 0
    voided = await ledger.settle(conn, reservation.id, "voided", now)
    if not voided.unsettled:  # spent to the last fen: nothing goes back
        return 0
    await record_event(conn, "fund.released", "fund", await fund_by_account(conn, voided.debit_account_id), {
        "proposal_id": proposal_id, "transfer_id": voided.id, "amount_fen": voided.unsettled, "reason": reason})
    return voided.unsettled


async def fund_by_account(conn: asyncpg.Connection, account_id: str) -> Fund:
    """The fund an account is, with its place (for an event's subject)."""
    account = await ledger.account_by_id(conn, account_id)
    if account.kind == "building":
        place = await places.place_of_building(conn, account.street_id, account.owner_id)
        return Fund(account.id, account.street_id, place.community_id or "", account.owner_id)
    return Fund(account.id, account.street_id, account.owner_id, None)


async def on_decision(conn: asyncpg.Connection, proposal_id: str, decision: str, now: datetime) -> None:
    """The vote's decision (usecases/proposals_jobs.py): anything but ``adopted`` releases the
    reservation at once."""
    if decision != "adopted":
        await release(conn, proposal_id, now, f"decision_{decision}")


async def on_moved(conn: asyncpg.Connection, proposal_id: str, stage: str, now: datetime) -> None:
    """A proposal changed stage (usecases/proposals.py ``apply_move``): when it closed, what is
    unspent goes back."""
    if stage == "closed":
        await release(conn, proposal_id, now, "proposal_closed")
