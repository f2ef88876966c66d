"""The ledger's accounts and transfers in SQL (the rules: domain/ledger.py). An account's
``balance`` and ``held`` change in the transaction that writes the transfer, the accounts
locked in id order (so two transfers between the same accounts never deadlock); a debit that
would take ``available`` below zero changes no row, and the CHECK
``ledger_accounts_available`` holds that line whatever else runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.errors import RuleViolation
from domain.ids import new_id
from domain.errors import Conflict
from domain.ledger import EFFECTS, POSTED, SPENDING, Account, Entry, Transfer, check_amount, part, resolve
from store.paging import Keyset, keyset_sql
from store.rows import model, models, one


async def account(conn: asyncpg.Connection, street_id: str, ledger: str, kind: str, owner_id: str, *,
                  may_go_negative: bool = False) -> Account:
    """The account, opened on first use."""
    await conn.execute(
        """INSERT INTO ledger_accounts (id, street_id, ledger, kind, owner_id, may_go_negative)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (street_id, ledger, kind, owner_id) DO NOTHING""",
        new_id("ledger_account"), street_id, ledger, kind, owner_id, may_go_negative)
    return one(Account, await find_account(conn, street_id, ledger, kind, owner_id, raw=True))


async def find_account(conn: asyncpg.Connection, street_id: str, ledger: str, kind: str, owner_id: str, *,
                       raw: bool = False) -> Any:
    row = await conn.fetchrow(
        "SELECT * FROM ledger_accounts WHERE street_id = $1 AND ledger = $2 AND kind = $3 AND owner_id = $4",
        street_id, ledger, kind, owner_id)
    return row if raw else model(Account, row)


async def account_by_id(conn: asyncpg.Connection, account_id: str) -> Account:
    return one(Account, await conn.fetchrow("SELECT * FROM ledger_accounts WHERE id = $1", account_id))


async def locked(conn: asyncpg.Connection, account_id: str) -> Account:
    """The account, row-locked for the rest of the transaction (to debit what it reads)."""
    return one(Account, await conn.fetchrow("SELECT * FROM ledger_accounts WHERE id = $1 FOR UPDATE", account_id))


async def totals_by_reason(conn: asyncpg.Connection, street_id: str, ledger: str, start: datetime | None,
                           end: datetime | None) -> dict[str, int]:
    """Posted amounts per reason in [start, end) (either open)."""
    return {r["reason"]: r["total"] for r in await conn.fetch(
        """SELECT reason, sum(amount)::bigint AS total FROM ledger_transfers
            WHERE street_id = $1 AND ledger = $2 AND status = 'posted'
              AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)
            GROUP BY reason""", street_id, ledger, start, end)}


async def accounts_of_owner(conn: asyncpg.Connection, ledger: str, kind: str, owner_id: str) -> list[Account]:
    return models(Account, await conn.fetch(
        "SELECT * FROM ledger_accounts WHERE ledger = $1 AND kind = $2 AND owner_id = $3 ORDER BY id",
        ledger, kind, owner_id))


async def _move(conn: asyncpg.Connection, debit_id: str, credit_id: str, operation: str, amount: int) -> bool:
    """Apply ``operation``'s effects to the two accounts; False (and nothing changed) when the
    debit account cannot afford it."""
    (debit_balance, debit_held), credit_balance = EFFECTS[operation]
    touched = sorted({debit_id, credit_id} if credit_balance else {debit_id})
    if len(touched) > 1:
        await conn.execute("SELECT 1 FROM ledger_accounts WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE", touched)
    moved = await conn.fetchval(
        """UPDATE ledger_accounts SET balance = balance + $2, held = held + $3, updated_at = clock_timestamp()
            WHERE id = $1 AND (may_go_negative OR NOT $4 OR balance + $2 - held - $3 >= 0) RETURNING id""",
        debit_id, debit_balance * amount, debit_held * amount, operation in SPENDING)
    if moved is None:
        return False
    if credit_balance:
        await conn.execute("UPDATE ledger_accounts SET balance = balance + $2, updated_at = clock_timestamp() "
                           "WHERE id = $1", credit_id, credit_balance * amount)
    return True


async def transfer(conn: asyncpg.Connection, *, debit: Account, credit: Account, amount: int, reason: str,
                   at: datetime, refusal: str, source: tuple[str, str | None] | None = None, note: str = "",
                   pending: bool = False, reverses_id: str | None = None,
                   created_by: str | None = None) -> Transfer | None:
    """Write a transfer and move the accounts with it. None when its source has already moved
    value between these accounts for this reason (each source at most once); 422 ``refusal``
    when the debit account cannot afford it (the caller's transaction is then rolled back)."""
    check_amount(amount)
    source_type, source_id = source if source else (None, None)
    row = await conn.fetchrow(
        """INSERT INTO ledger_transfers (id, street_id, ledger, debit_account_id, credit_account_id, amount, reason,
                                         source_type, source_id, note, status, reverses_id, created_by, created_at,
                                         resolved_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (reason, source_type, source_id, debit_account_id, credit_account_id)
              WHERE source_id IS NOT NULL DO NOTHING
           RETURNING *""",
        new_id("transfer"), debit.street_id, debit.ledger, debit.id, credit.id, amount, reason, source_type,
        source_id, note, "pending" if pending else "posted", reverses_id, created_by, at, None if pending else at)
    if row is None:
        return None
    if not await _move(conn, debit.id, credit.id, "hold" if pending else "post", amount):
        raise RuleViolation(refusal)
    return one(Transfer, row)


async def settle(conn: asyncpg.Connection, transfer_id: str, to: str, at: datetime) -> Transfer:
    """Post or void a pending transfer (once: the row is locked and its status checked)."""
    row = await conn.fetchrow("SELECT * FROM ledger_transfers WHERE id = $1 FOR UPDATE", transfer_id)
    current = one(Transfer, row)
    operation = resolve(current.status, to)
    if to == POSTED and current.settled:  # partly settled: only its rest is voided (domain/ledger.py part)
        raise Conflict("transfer_not_pending")
    updated = one(Transfer, await conn.fetchrow(
        """UPDATE ledger_transfers SET status = $2, resolved_at = $3, updated_at = clock_timestamp()
            WHERE id = $1 RETURNING *""", transfer_id, to, at))
    if current.unsettled:
        await _move(conn, current.debit_account_id, current.credit_account_id, operation, current.unsettled)
    return updated


async def settle_part(conn: asyncpg.Connection, pending_id: str, amount: int, *, reason: str, at: datetime,
                      refusal: str, source: tuple[str, str], note: str = "",
                      created_by: str | None = None) -> Transfer | None:
    """Post ``amount`` of a pending transfer as a transfer of its own (naming it in
    ``pending_id``), between the same accounts; the pending one keeps holding the rest. The
    pending row is locked and checked (domain/ledger.py ``part``); None when ``source`` has
    already posted its part."""
    current = one(Transfer, await conn.fetchrow("SELECT * FROM ledger_transfers WHERE id = $1 FOR UPDATE",
                                                pending_id))
    part(current, amount, refusal=refusal)
    row = await conn.fetchrow(
        """INSERT INTO ledger_transfers (id, street_id, ledger, debit_account_id, credit_account_id, amount, reason,
                                         source_type, source_id, note, status, created_by, created_at, resolved_at,
                                         pending_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'posted', $11, $12, $12, $13)
           ON CONFLICT (reason, source_type, source_id, debit_account_id, credit_account_id)
              WHERE source_id IS NOT NULL DO NOTHING
           RETURNING *""",
        new_id("transfer"), current.street_id, current.ledger, current.debit_account_id, current.credit_account_id,
        amount, reason, source[0], source[1], note, created_by, at, pending_id)
    if row is None:
        return None
    await conn.execute("UPDATE ledger_transfers SET settled = settled + $2, updated_at = clock_timestamp() "
                       "WHERE id = $1", pending_id, amount)
    await _move(conn, current.debit_account_id, current.credit_account_id, "post_pending", amount)
    return one(Transfer, row)


async def find_transfer(conn: asyncpg.Connection, transfer_id: str) -> Transfer | None:
    return model(Transfer, await conn.fetchrow("SELECT * FROM ledger_transfers WHERE id = $1", transfer_id))


async def page_of_account(conn: asyncpg.Connection, account_id: str, keyset: Keyset) -> list[Entry]:
    """The account's transfers, with ``delta`` signed from its side."""
    params: list[Any] = [account_id]
    condition, order = keyset_sql(keyset, "t", params)
    return models(Entry, await conn.fetch(
        f"""SELECT t.*, CASE WHEN t.credit_account_id = $1 THEN t.amount ELSE -t.amount END AS delta
              FROM ledger_transfers t
             WHERE (t.debit_account_id = $1 OR t.credit_account_id = $1) AND {condition} {order}""", *params))


async def credited_since(conn: asyncpg.Connection, account_id: str, reasons: list[str], since: datetime) -> int:
    """Posted credits to the account for these reasons since ``since``."""
    return await conn.fetchval(
        """SELECT coalesce(sum(amount), 0) FROM ledger_transfers
            WHERE credit_account_id = $1 AND status = 'posted' AND reason = ANY($2::text[]) AND created_at >= $3""",
        account_id, reasons, since)


async def moved_by(conn: asyncpg.Connection, street_id: str, ledger: str, created_by: str, reasons: list[str],
                   start: datetime, end: datetime) -> int:
    """What ``created_by`` moved for these reasons in [start, end)."""
    return await conn.fetchval(
        """SELECT coalesce(sum(amount), 0) FROM ledger_transfers
            WHERE street_id = $1 AND ledger = $2 AND created_by = $3 AND reason = ANY($4::text[])
              AND status <> 'voided' AND created_at >= $5 AND created_at < $6""",
        street_id, ledger, created_by, reasons, start, end)


async def lock_key(conn: asyncpg.Connection, key: str) -> None:
    """Serialise a check-then-write on ``key`` for the rest of the transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
