"""Expenses of an adopted proposal's budget (the community spec §13): claimed by its author or a
leader within what the reservation still holds, approved by community staff or a member of
the community's owners' committee (never the claimant; two different approvers when the
street says so; a street officer's sign-off above its threshold), then public for the
street's publicity days — when any resident of the community may object — and then posted
by a due job (usecases/fund_jobs.py) as a part of the reservation. A rejected expense stays,
with its reason. Every act locks the expense row, so two approvers at once record one
approval at a time and a completed approval is acted on once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
import msgspec

from domain import fund as rules
from domain import proposals as stages
from domain.errors import Conflict, NotFound, RuleViolation
from domain.fund import Expense, Objection
from domain.permissions import Actor, Place, Principal, ensure_for
from store import fund as store
from store import ledger
from store.paging import Keyset
from usecases import fund, media, places, proposals, street_settings
from usecases.actors import actor_for
from usecases.kernel import actor_ref, person_of, place_of, record_event, schedule_job, visible_or_404

POST_JOB = "fund.expense_post"

Precondition = Callable[[Expense], None]


class ExpenseJob(msgspec.Struct, frozen=True):
    expense_id: str


class NewExpense(msgspec.Struct, kw_only=True):
    amount_fen: int
    description: str
    receipt_media_ids: list[str] = msgspec.field(default_factory=list)


class ExpenseMove(msgspec.Struct, kw_only=True):
    to: str  # rejected
    reason: str | None = None


class NewObjection(msgspec.Struct, kw_only=True):
    reason: str


def _community(expense: Expense) -> Place:
    return Place(expense.street_id, community_id=expense.community_id)


async def _visible(conn: asyncpg.Connection, actor: Actor, expense_id: str, *, lock: bool = False) -> Expense:
    """An expense is as public as its fund: everyone who sees the community sees it (and the
    members of its owners' committee)."""
    found = await store.get_expense(conn, actor.principal.street_id, expense_id, lock=lock)
    if found is not None and not actor.sees(_community(found)) and await store.committee_member(
            conn, sorted(actor.grants.organizations), found.community_id):
        return found  # the community's owners' committee approves it
    return visible_or_404(found, lambda e: actor.sees(_community(e)))


async def _may_approve(conn: asyncpg.Connection, actor: Actor, expense: Expense) -> bool:
    """Community staff (and above), or a member of an owners' committee of the community."""
    return actor.staff_of(_community(expense)) or await store.committee_member(
        conn, sorted(actor.grants.organizations), expense.community_id)


async def submit(conn: asyncpg.Connection, who: Principal, proposal_id: str, command: NewExpense,
                 now: datetime) -> Expense:
    """The proposal's author or a leader claims an expense while it is carried out; the
    reservation's row lock serialises claims, so together they never exceed what it holds."""
    actor = await actor_for(conn, who)
    proposal = await proposals.visible_proposal(conn, actor, proposal_id)
    ensure_for(actor, actor.person_id == proposal.author_id or actor.leader_of(place_of(proposal)))
    stages.ensure_stage(proposal.stage, *rules.SPENDING_STAGES)
    reservation = await store.reservation_of(conn, proposal.id, lock=True)
    if reservation is None or reservation.status != "pending":
        raise RuleViolation(rules.EXCEEDS, {"unspent_fen": 0})
    rules.check_claim(reservation.unsettled, await store.outstanding(conn, reservation.id), command.amount_fen)
    receipts = await media.attach(conn, actor, command.receipt_media_ids, field="body.receipt_media_ids")
    settings = await street_settings.settings_of(conn, who.street_id)
    claimant = actor_ref(actor)
    expense = await store.insert_expense(conn, {
        "street_id": proposal.street_id, "community_id": proposal.community_id, "building_id": proposal.building_id,
        "proposal_id": proposal.id, "account_id": reservation.debit_account_id, "reservation_id": reservation.id,
        "amount_fen": command.amount_fen, "description": command.description, "receipt_media_ids": receipts,
        "claimant_type": claimant[0], "claimant_id": claimant[1],
        "approvals_needed": rules.approvals_needed(settings.fund_two_approvers),
        "street_signoff_required": rules.signoff_required(command.amount_fen, settings.fund_street_signoff_above_fen),
        "submitted_at": now, "created_at": now})
    await record_event(conn, "expense.submitted", "expense", expense, {
        "proposal_id": expense.proposal_id, "amount_fen": expense.amount_fen, "status": expense.status,
        "approvals_needed": expense.approvals_needed, "street_signoff_required": expense.street_signoff_required})
    return expense


async def get(conn: asyncpg.Connection, who: Principal, expense_id: str) -> Expense:
    return await _visible(conn, await actor_for(conn, who), expense_id)


async def of_proposal(conn: asyncpg.Connection, who: Principal, proposal_id: str, keyset: Keyset) -> list[Expense]:
    """A proposal's expenses are as public as its fund: for everyone who sees its community."""
    actor = await actor_for(conn, who)
    building_id = await proposals.building_of(conn, who.street_id, proposal_id)
    place = None if building_id is None else await places.place_of_building(conn, who.street_id, building_id)
    community = None if place is None else Place(who.street_id, community_id=place.community_id)
    if community is None or not (actor.sees(community) or await store.committee_member(
            conn, sorted(actor.grants.organizations), community.community_id or "")):
        raise NotFound("not_found")
    return await store.expenses_page(conn, proposal_id, keyset)


async def approve(conn: asyncpg.Connection, who: Principal, expense_id: str, now: datetime,
                  precondition: Precondition = lambda _: None) -> Expense:
    """Record the caller's approval; the one that completes it starts the publicity period
    (or posts at once when the street's period is 0 days)."""
    actor = await actor_for(conn, who)
    expense = await _visible(conn, actor, expense_id, lock=True)
    precondition(expense)
    by = actor_ref(actor)
    rules.check_approval(expense, by, may_approve=await _may_approve(conn, actor, expense))
    signoff = actor.street_wide(write=True)
    await store.add_approval(conn, expense.id, by, signoff, now)
    expense = await store.update_expense(conn, expense.id, {})
    await record_event(conn, "expense.approved", "expense", expense, {
        "proposal_id": expense.proposal_id, "by": {"type": by[0], "id": by[1]}, "street_signoff": signoff,
        "approvals": len(expense.approvals), "status": expense.status})
    if not rules.approved(expense.approvals, expense.approvals_needed, expense.street_signoff_required):
        return expense
    days = (await street_settings.settings_of(conn, who.street_id)).fund_publicity_days
    until = rules.publicity_until(now, days)
    expense = await store.update_expense(conn, expense.id, {"status": "publicity", "publicity_at": now,
                                                            "publicity_until": until})
    await record_event(conn, "expense.publicity_started", "expense", expense, {
        "proposal_id": expense.proposal_id, "publicity_until": until.isoformat(), "status": expense.status})
    if days == 0:
        return await post(conn, expense, now)
    await schedule_job(conn, POST_JOB, until, ExpenseJob(expense.id), street_id=expense.street_id,
                       dedupe_key=f"{POST_JOB}:{expense.id}")
    return expense


async def transition(conn: asyncpg.Connection, who: Principal, expense_id: str, command: ExpenseMove,
                     now: datetime, precondition: Precondition = lambda _: None) -> Expense:
    """An approver rejects a submitted expense, or one in publicity (after an objection), with
    a reason; the expense stays visible with it, and its claim on the reservation ends."""
    actor = await actor_for(conn, who)
    expense = await _visible(conn, actor, expense_id, lock=True)
    precondition(expense)
    if command.to != "rejected":  # the wire type allows nothing else
        raise Conflict("wrong_expense_status", {"status": expense.status})
    reason = rules.check_rejection(expense, command.reason, may_approve=await _may_approve(conn, actor, expense))
    by = actor_ref(actor)
    closed = await _proposal_closed(conn, expense)
    expense = await store.update_expense(conn, expense.id, {
        "status": "rejected", "rejection_reason": reason, "rejected_by_type": by[0], "rejected_by_id": by[1],
        "rejected_at": now})
    await record_event(conn, "expense.rejected", "expense", expense, {
        "proposal_id": expense.proposal_id, "by": {"type": by[0], "id": by[1]}, "status": expense.status})
    if closed:
        await fund.release(conn, expense.proposal_id, now, "proposal_closed")
    return expense


async def _proposal_closed(conn: asyncpg.Connection, expense: Expense) -> bool:
    """Read (and share-lock) the proposal before the reservation, in the order closing takes."""
    proposal = await proposals.locked(conn, expense.street_id, expense.proposal_id, lock="share")
    return proposal is not None and proposal.stage == "closed"


async def post(conn: asyncpg.Connection, expense: Expense, now: datetime) -> Expense:
    """After the publicity period (the job, or at once): post the expense as a part of its
    reservation; when the proposal has closed meanwhile, the rest is released with the last
    claim."""
    closed = await _proposal_closed(conn, expense)
    moved = await ledger.settle_part(conn, expense.reservation_id, expense.amount_fen, reason="expense", at=now,
                                     refusal=rules.EXCEEDS, source=("expense", expense.id))
    assert moved is not None
    expense = await store.update_expense(conn, expense.id, {"status": "posted", "posted_at": now,
                                                            "transfer_id": moved.id})
    await record_event(conn, "fund.expense_posted", "fund", await fund.fund_by_account(conn, expense.account_id), {
        "expense_id": expense.id, "proposal_id": expense.proposal_id, "transfer_id": moved.id,
        "amount_fen": moved.amount})
    await record_event(conn, "expense.posted", "expense", expense, {
        "proposal_id": expense.proposal_id, "transfer_id": moved.id, "status": expense.status})
    if closed:
        await fund.release(conn, expense.proposal_id, now, "proposal_closed")
    return expense


async def post_due(conn: asyncpg.Connection, street_id: str, expense_id: str, now: datetime) -> None:
    """The job: post an expense whose publicity period has passed (nothing when it was
    rejected meanwhile, or posted already)."""
    expense = await store.get_expense(conn, street_id, expense_id, lock=True)
    if expense is not None and rules.due_to_post(expense, now):
        await post(conn, expense, now)


async def object_to(conn: asyncpg.Connection, who: Principal, expense_id: str, command: NewObjection,
                    now: datetime) -> Objection:
    """Any resident of the community objects during the publicity period; the leaders read
    the objections (and an approver may then reject the expense)."""
    actor = await actor_for(conn, who)
    expense = await _visible(conn, actor, expense_id, lock=True)
    person = person_of(actor)
    ensure_for(actor, actor.resident_of(_community(expense)))
    rules.check_objection(expense)
    objection = await store.add_objection(conn, expense, person, command.reason, now)
    await record_event(conn, "expense.objected", "expense", expense, {
        "proposal_id": expense.proposal_id, "objection_id": objection.id, "status": expense.status})
    return objection


async def objections(conn: asyncpg.Connection, who: Principal, expense_id: str, keyset: Keyset) -> list[Objection]:
    """The objections, for the leaders of the expense's building (and those above) and the
    approvers (the owners' committee), who weigh them."""
    actor = await actor_for(conn, who)
    expense = await _visible(conn, actor, expense_id)
    ensure_for(actor, actor.leader_of(place_of(expense), write=False) or await _may_approve(conn, actor, expense),
               "street:read")
    return await store.objections_page(conn, expense.id, keyset)
