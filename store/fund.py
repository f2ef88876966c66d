"""The fund's incomes, expenses, approvals and objections in SQL, and its entries: a view of
the ``fund`` ledger's transfers (store/ledger.py moves the money)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import asyncpg

from domain.fund import LEDGER, OUTSTANDING, Approval, Entry, Expense, Income, Objection
from domain.ids import new_id
from domain.ledger import Transfer
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one

# Every line of a fund's ledger: incomes, reservations and expenses are transfers; a release
# is a voided reservation (its rest, at the time it was voided).
_ENTRIES = """
    SELECT t.id, CASE t.reason WHEN 'reservation' THEN 'reservation' WHEN 'income' THEN 'income' ELSE 'expense' END
               AS kind, t.amount AS amount_fen, t.created_at, t.note, t.source_type, t.source_id
      FROM ledger_transfers t
     WHERE (t.credit_account_id = $1 AND t.reason = 'income')
        OR (t.debit_account_id = $1 AND t.reason IN ('reservation', 'expense'))
    UNION ALL
    SELECT 'rel_' || substr(t.id, 5), 'release', t.amount - t.settled, t.resolved_at, t.note, t.source_type,
           t.source_id
      FROM ledger_transfers t
     WHERE t.debit_account_id = $1 AND t.reason = 'reservation' AND t.status = 'voided' AND t.amount > t.settled"""

_VIEW = f"""
    SELECT e.id, e.kind, e.amount_fen, e.created_at, e.created_at AS updated_at,
           CASE WHEN e.kind = 'income' THEN e.note WHEN e.kind = 'expense' THEN x.description ELSE e.note END AS note,
           i.source_kind, i.organization_id, i.voucher_no,
           CASE WHEN e.source_type = 'proposal' THEN e.source_id ELSE x.proposal_id END AS proposal_id,
           x.id AS expense_id
      FROM ({_ENTRIES}) e
      LEFT JOIN fund_incomes i ON e.kind = 'income' AND e.source_type = 'fund_income' AND i.id = e.source_id
      LEFT JOIN fund_expenses x ON e.kind = 'expense' AND e.source_type = 'expense' AND x.id = e.source_id"""


async def entries_page(conn: asyncpg.Connection, account_id: str, keyset: Keyset,
                       proposal_id: str | None) -> list[Entry]:
    params: list[Any] = [account_id, proposal_id]
    condition, order = keyset_sql(keyset, "v", params)
    return models(Entry, await conn.fetch(
        f"SELECT * FROM ({_VIEW}) v WHERE ($2::text IS NULL OR v.proposal_id = $2) AND {condition} {order}",
        *params))


async def all_entries(conn: asyncpg.Connection, account_id: str) -> list[Entry]:
    """Every entry, oldest first (the CSV export, the figures' proof)."""
    return models(Entry, await conn.fetch(f"SELECT * FROM ({_VIEW}) v ORDER BY v.created_at, v.id", account_id))


async def insert_income(conn: asyncpg.Connection, *, income_id: str, street_id: str, community_id: str,
                        building_id: str | None, account_id: str, transfer: Transfer, source_kind: str,
                        organization_id: str | None, voucher_no: str, note: str, by: tuple[str, str | None],
                        at: datetime) -> Income:
    return one(Income, await conn.fetchrow(
        """INSERT INTO fund_incomes (id, street_id, community_id, building_id, account_id, transfer_id, amount_fen,
                                     source_kind, organization_id, voucher_no, note, created_by_type, created_by_id,
                                     created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *""",
        income_id, street_id, community_id, building_id, account_id, transfer.id, transfer.amount, source_kind,
        organization_id, voucher_no, note, by[0], by[1], at))


async def voucher_taken(conn: asyncpg.Connection, account_id: str, voucher_no: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM fund_incomes WHERE account_id = $1 AND voucher_no = $2",
                                    account_id, voucher_no))


async def reservation_of(conn: asyncpg.Connection, proposal_id: str, *, lock: bool = False) -> Transfer | None:
    """The proposal's reservation (the hold opened with its vote), row-locked on request."""
    return model(Transfer, await conn.fetchrow(
        f"""SELECT * FROM ledger_transfers
             WHERE ledger = '{LEDGER}' AND reason = 'reservation' AND source_type = 'proposal' AND source_id = $1
             ORDER BY created_at DESC LIMIT 1 {"FOR UPDATE" if lock else ""}""", proposal_id))


async def outstanding(conn: asyncpg.Connection, reservation_id: str) -> int:
    """What expenses not yet posted nor rejected claim of a reservation."""
    return await conn.fetchval(
        "SELECT coalesce(sum(amount_fen), 0) FROM fund_expenses WHERE reservation_id = $1 AND status = ANY($2::text[])",
        reservation_id, list(OUTSTANDING))


async def insert_expense(conn: asyncpg.Connection, values: dict[str, Any]) -> Expense:
    """A new expense; ``values`` are its columns (named by the use case, never by a client)."""
    values = {"id": new_id("expense"), **values}
    columns = ", ".join(values)
    places = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    row = await conn.fetchrow(f"INSERT INTO fund_expenses ({columns}) VALUES ({places}) RETURNING *", *values.values())
    completed = await _complete(conn, one(Expense, row))
    assert completed is not None
    return completed


async def get_expense(conn: asyncpg.Connection, street_id: str, expense_id: str, *,
                      lock: bool = False) -> Expense | None:
    row = await conn.fetchrow(
        f"SELECT * FROM fund_expenses WHERE id = $1 AND street_id = $2 {'FOR UPDATE' if lock else ''}",
        expense_id, street_id)
    return None if row is None else await _complete(conn, model(Expense, row))


async def _complete(conn: asyncpg.Connection, expense: Expense | None) -> Expense | None:
    if expense is None:
        return None
    return (await _completed(conn, [expense]))[0]


async def _completed(conn: asyncpg.Connection, expenses: list[Expense]) -> list[Expense]:
    """The expenses with their approvals and the number of objections (two queries a page)."""
    ids = [e.id for e in expenses]
    approvals: dict[str, list[Approval]] = {}
    for approval in models(Approval, await conn.fetch(
            "SELECT * FROM fund_expense_approvals WHERE expense_id = ANY($1::text[]) ORDER BY created_at, id", ids)):
        approvals.setdefault(approval.expense_id, []).append(approval)
    counts = dict(await conn.fetch("SELECT expense_id, count(*) FROM fund_objections "
                                   "WHERE expense_id = ANY($1::text[]) GROUP BY expense_id", ids))
    return [replace(e, approvals=tuple(approvals.get(e.id, ())), objection_count=counts.get(e.id, 0))
            for e in expenses]


async def expenses_page(conn: asyncpg.Connection, proposal_id: str, keyset: Keyset) -> list[Expense]:
    params: list[Any] = [proposal_id]
    condition, order = keyset_sql(keyset, "x", params)
    return await _completed(conn, models(Expense, await conn.fetch(
        f"SELECT x.* FROM fund_expenses x WHERE x.proposal_id = $1 AND {condition} {order}", *params)))


async def update_expense(conn: asyncpg.Connection, expense_id: str, changes: dict[str, Any]) -> Expense:
    """Change the expense (columns named by the use case); no changes still stamps it (an
    approval was added: its ETag must change)."""
    assignments = "".join(f"{name} = ${i + 2}, " for i, name in enumerate(changes))
    row = await conn.fetchrow(
        f"UPDATE fund_expenses SET {assignments}updated_at = clock_timestamp() WHERE id = $1 RETURNING *",
        expense_id, *changes.values())
    completed = await _complete(conn, one(Expense, row))
    assert completed is not None
    return completed


async def add_approval(conn: asyncpg.Connection, expense_id: str, by: tuple[str, str | None], street_signoff: bool,
                       at: datetime) -> None:
    await conn.execute(
        """INSERT INTO fund_expense_approvals (id, expense_id, approver_type, approver_id, street_signoff, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)""", new_id("expense_approval"), expense_id, by[0], by[1], street_signoff, at)


async def add_objection(conn: asyncpg.Connection, expense: Expense, person_id: str, reason: str,
                        at: datetime) -> Objection:
    return one(Objection, await conn.fetchrow(
        """INSERT INTO fund_objections (id, street_id, expense_id, person_id, reason, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
        new_id("objection"), expense.street_id, expense.id, person_id, reason, at))


async def objections_page(conn: asyncpg.Connection, expense_id: str, keyset: Keyset) -> list[Objection]:
    params: list[Any] = [expense_id]
    condition, order = keyset_sql(keyset, "o", params)
    return models(Objection, await conn.fetch(
        f"SELECT o.* FROM fund_objections o WHERE o.expense_id = $1 AND {condition} {order}", *params))


async def committee_member(conn: asyncpg.Connection, organization_ids: list[str], community_id: str) -> bool:
    """Is one of these organisations an owners' committee of the community?"""
    if not organization_ids:
        return False
    return bool(await conn.fetchval(
        """SELECT 1 FROM organizations WHERE id = ANY($1::text[]) AND kind = 'owners_committee'
              AND community_id = $2 LIMIT 1""", organization_ids, community_id))


async def organization_in_street(conn: asyncpg.Connection, street_id: str, organization_id: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM organizations WHERE id = $1 AND street_id = $2",
                                    organization_id, street_id))


async def building_fund(conn: asyncpg.Connection, street_id: str, building_id: str) -> str | None:
    """The building's fund account, when it has one (opened by its first income)."""
    return await conn.fetchval(
        f"SELECT id FROM ledger_accounts WHERE street_id = $1 AND ledger = '{LEDGER}' AND kind = 'building' "
        "AND owner_id = $2", street_id, building_id)

