"""Wire types of the self-governance fund (figures, entries, incomes) and of expenses,
approvals and objections, with their views of domain/fund.py's models."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from api.conventions.openapi import Input
from api.schemas.common import Actor, Stamp, id_text, text
from domain import fund as domain

AmountFen = Annotated[int, Meta(ge=1, le=100_000_000_00, examples=[500000], description="Fen (分)")]
VoucherNo = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$",
                                examples=["JF-2026-015"], description="The voucher (凭证号); unique per fund")]
Note = text(500, example="2026 年度街道自治金下拨")
ExpenseText = text(2000, min_length=1, example="购买楼道感应灯 12 盏")
Reason = text(1000, min_length=1, example="发票金额与清单不符")
MediaRef = id_text("med_5t7v9x2b4d6f8h1k")
OrganizationRef = id_text("org_5t7v9x2b4d6f8h1k")
SourceKind = Literal["street_allocation", "donation", "other"]
EntryKind = Literal["income", "reservation", "release", "expense"]
ExpenseStatus = Literal["submitted", "publicity", "posted", "rejected"]


class Fund(msgspec.Struct):
    balance_fen: Annotated[int, Meta(description="Incomes less posted expenses")]
    reserved_fen: Annotated[int, Meta(description="Held for budgets whose votes opened, less what was "
                                                  "spent or released of them")]
    available_fen: Annotated[int, Meta(description="balance_fen − reserved_fen; never below zero")]


class IncomeSource(Input):
    kind: SourceKind
    voucher_no: VoucherNo
    organization_id: OrganizationRef | None = None  # type: ignore[valid-type]


class IncomeCreate(Input):
    amount_fen: AmountFen
    source: IncomeSource
    note: Note = ""  # type: ignore[valid-type]


class EntrySource(msgspec.Struct):
    kind: Annotated[str, Meta(description="An income's source (street_allocation, donation, other); "
                                          "`budget` for a reservation or release; `expense` for an expense")]
    organization_id: str | None
    voucher_no: str | None


class Entry(msgspec.Struct):
    id: Annotated[str, Meta(examples=["trf_5t7v9x2b4d6f8h1k"])]
    kind: EntryKind
    amount_fen: int
    source: EntrySource
    proposal_id: str | None
    expense_id: str | None
    note: str
    created_at: Stamp


class Income(msgspec.Struct):
    id: Annotated[str, Meta(examples=["fin_5t7v9x2b4d6f8h1k"])]
    community_id: str
    building_id: str | None
    amount_fen: int
    source: EntrySource
    note: str
    entry_id: Annotated[str, Meta(description="Its line in the fund's entries")]
    created_at: Stamp
    updated_at: Stamp


class ExpenseCreate(Input):
    amount_fen: AmountFen
    description: ExpenseText  # type: ignore[valid-type]
    receipt_media_ids: Annotated[list[MediaRef], Meta(max_length=9)] = []  # type: ignore[valid-type]


class ExpenseApproval(msgspec.Struct):
    by: Actor
    street_signoff: Annotated[bool, Meta(description="Given by a street officer (counts as the sign-off)")]
    at: Stamp


class Expense(msgspec.Struct):
    id: Annotated[str, Meta(examples=["exp_5t7v9x2b4d6f8h1k"])]
    proposal_id: str
    community_id: str
    building_id: str
    amount_fen: int
    description: str
    receipt_media_ids: list[str]
    claimed_by: Actor
    status: ExpenseStatus
    approvals: list[ExpenseApproval]
    approvals_needed: int
    street_signoff_required: bool
    rejection_reason: str | None
    rejected_by: Actor | None
    publicity_until: Stamp | None
    objection_count: int
    entry_id: Annotated[str | None, Meta(description="Its line in the fund's entries, once posted")]
    submitted_at: Stamp
    publicity_at: Stamp | None
    posted_at: Stamp | None
    rejected_at: Stamp | None
    created_at: Stamp
    updated_at: Stamp


class ExpenseTransition(Input):
    to: Literal["rejected"]
    reason: Reason | None = None  # type: ignore[valid-type]


class ObjectionCreate(Input):
    reason: Reason  # type: ignore[valid-type]


class Objection(msgspec.Struct):
    id: Annotated[str, Meta(examples=["obj_5t7v9x2b4d6f8h1k"])]
    expense_id: str
    person_id: str
    reason: str
    created_at: Stamp
    updated_at: Stamp


def fund_view(figures: domain.Figures) -> Fund:
    return Fund(figures.balance_fen, figures.reserved_fen, figures.available_fen)


def _source(entry: domain.Entry) -> EntrySource:
    if entry.kind == "income":
        return EntrySource(entry.source_kind or "other", entry.organization_id, entry.voucher_no)
    return EntrySource("expense" if entry.kind == "expense" else "budget", None, None)


def entry_view(entry: domain.Entry) -> Entry:
    return Entry(id=entry.id, kind=entry.kind, amount_fen=entry.amount_fen,  # type: ignore[arg-type]
                 source=_source(entry), proposal_id=entry.proposal_id, expense_id=entry.expense_id,
                 note=entry.note or "", created_at=entry.created_at)


def income_view(income: domain.Income) -> Income:
    return Income(id=income.id, community_id=income.community_id, building_id=income.building_id,
                  amount_fen=income.amount_fen,
                  source=EntrySource(income.source_kind, income.organization_id, income.voucher_no),
                  note=income.note, entry_id=income.transfer_id, created_at=income.created_at,
                  updated_at=income.updated_at)


def expense_view(expense: domain.Expense) -> Expense:
    rejected_by = None if expense.rejected_by_type is None else Actor(expense.rejected_by_type,
                                                                      expense.rejected_by_id)
    return Expense(
        id=expense.id, proposal_id=expense.proposal_id, community_id=expense.community_id,
        building_id=expense.building_id, amount_fen=expense.amount_fen, description=expense.description,
        receipt_media_ids=list(expense.receipt_media_ids), claimed_by=Actor(expense.claimant_type, expense.claimant_id),
        status=expense.status,  # type: ignore[arg-type]
        approvals=[ExpenseApproval(Actor(a.approver_type, a.approver_id), a.street_signoff, a.created_at)
                   for a in expense.approvals],
        approvals_needed=expense.approvals_needed, street_signoff_required=expense.street_signoff_required,
        rejection_reason=expense.rejection_reason, rejected_by=rejected_by, publicity_until=expense.publicity_until,
        objection_count=expense.objection_count, entry_id=expense.transfer_id, submitted_at=expense.submitted_at,
        publicity_at=expense.publicity_at, posted_at=expense.posted_at, rejected_at=expense.rejected_at,
        created_at=expense.created_at, updated_at=expense.updated_at)


def objection_view(objection: domain.Objection) -> Objection:
    return Objection(id=objection.id, expense_id=objection.expense_id, person_id=objection.person_id,
                     reason=objection.reason, created_at=objection.created_at, updated_at=objection.updated_at)


CSV_HEADERS = ("时间 / time", "类别 / kind", "金额（分） / amount_fen", "来源 / source", "凭证号 / voucher_no",
               "议题 / proposal_id", "支出 / expense_id", "说明 / note")


def export_row(entry: domain.Entry) -> list[object]:
    source = _source(entry)
    return [entry.created_at.isoformat().replace("+00:00", "Z"), entry.kind, entry.amount_fen, source.kind,
            source.voucher_no or "", entry.proposal_id or "", entry.expense_id or "", entry.note or ""]
