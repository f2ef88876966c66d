-- migrate:up
-- The self-governance fund (自治金, the community spec §13) on the kernel's ledger.
--
-- The ledger learns to settle a pending transfer in parts (an expense posts part of a
-- proposal's reservation; what is left is voided when the proposal closes): a part is a new,
-- posted transfer naming its pending one (`pending_id`), and the pending one counts what was
-- settled of it (`settled`); its account keeps `held` = Σ (amount − settled) of its pending
-- transfers. A CHECK keeps `settled` within the amount, so a part can never be posted twice
-- over.
ALTER TABLE ledger_transfers ADD COLUMN settled bigint NOT NULL DEFAULT 0;
ALTER TABLE ledger_transfers ADD COLUMN pending_id text REFERENCES ledger_transfers (id);
ALTER TABLE ledger_transfers ADD CONSTRAINT ledger_transfers_settled CHECK (settled >= 0 AND settled <= amount);
CREATE INDEX ledger_transfers_pending_idx ON ledger_transfers (pending_id) WHERE pending_id IS NOT NULL;

-- A proposal may carry a budget; opening its vote reserves it from the fund.
ALTER TABLE proposals ADD COLUMN budget_fen bigint CHECK (budget_fen > 0);

-- An income of a fund (a community's, or a building's): the transfer from the street's
-- income account, with its source and voucher (unique per fund).
CREATE TABLE fund_incomes (
    id               text PRIMARY KEY,
    street_id        text NOT NULL REFERENCES streets (id),
    community_id     text NOT NULL REFERENCES communities (id),
    building_id      text REFERENCES buildings (id),
    account_id       text NOT NULL REFERENCES ledger_accounts (id),
    transfer_id      text NOT NULL REFERENCES ledger_transfers (id),
    amount_fen       bigint NOT NULL CHECK (amount_fen > 0),
    source_kind      text NOT NULL CHECK (source_kind IN ('street_allocation', 'donation', 'other')),
    organization_id  text REFERENCES organizations (id),
    voucher_no       text NOT NULL,
    note             text NOT NULL DEFAULT '',
    created_by_type  text NOT NULL,
    created_by_id    text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT fund_incomes_voucher_key UNIQUE (account_id, voucher_no)
);

-- An expense claimed against a proposal's reservation: approved, made public, then posted.
CREATE TABLE fund_expenses (
    id                   text PRIMARY KEY,
    street_id            text NOT NULL REFERENCES streets (id),
    community_id         text NOT NULL REFERENCES communities (id),
    building_id          text NOT NULL REFERENCES buildings (id),
    proposal_id          text NOT NULL REFERENCES proposals (id),
    account_id           text NOT NULL REFERENCES ledger_accounts (id),
    reservation_id       text NOT NULL REFERENCES ledger_transfers (id),
    amount_fen           bigint NOT NULL CHECK (amount_fen > 0),
    description          text NOT NULL,
    receipt_media_ids    text[] NOT NULL DEFAULT '{}',
    claimant_type        text NOT NULL,
    claimant_id          text,
    status               text NOT NULL DEFAULT 'submitted'
                         CHECK (status IN ('submitted', 'publicity', 'posted', 'rejected')),
    approvals_needed     integer NOT NULL CHECK (approvals_needed BETWEEN 1 AND 2),
    street_signoff_required boolean NOT NULL,
    rejection_reason     text,
    rejected_by_type     text,
    rejected_by_id       text,
    publicity_until      timestamptz,
    transfer_id          text REFERENCES ledger_transfers (id),
    submitted_at         timestamptz NOT NULL,
    publicity_at         timestamptz,
    posted_at            timestamptz,
    rejected_at          timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((status = 'rejected') = (rejected_at IS NOT NULL)),
    CHECK ((status = 'posted') = (transfer_id IS NOT NULL))
);
CREATE INDEX fund_expenses_proposal_idx ON fund_expenses (proposal_id, created_at DESC, id DESC);
CREATE INDEX fund_expenses_due_idx ON fund_expenses (reservation_id) WHERE status IN ('submitted', 'publicity');

CREATE TABLE fund_expense_approvals (
    id              text PRIMARY KEY,
    expense_id      text NOT NULL REFERENCES fund_expenses (id),
    approver_type   text NOT NULL,
    approver_id     text NOT NULL,
    street_signoff  boolean NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (expense_id, approver_type, approver_id)
);

CREATE TABLE fund_objections (
    id           text PRIMARY KEY,
    street_id    text NOT NULL REFERENCES streets (id),
    expense_id   text NOT NULL REFERENCES fund_expenses (id),
    person_id    text NOT NULL REFERENCES persons (id),
    reason       text NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX fund_objections_expense_idx ON fund_objections (expense_id, created_at DESC, id DESC);

-- migrate:down
DROP TABLE fund_objections;
DROP TABLE fund_expense_approvals;
DROP TABLE fund_expenses;
DROP TABLE fund_incomes;
ALTER TABLE proposals DROP COLUMN budget_fen;
DROP INDEX ledger_transfers_pending_idx;
ALTER TABLE ledger_transfers DROP CONSTRAINT ledger_transfers_settled;
ALTER TABLE ledger_transfers DROP COLUMN pending_id;
ALTER TABLE ledger_transfers DROP COLUMN settled;
