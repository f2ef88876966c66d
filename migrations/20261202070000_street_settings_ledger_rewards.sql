-- migrate:up
-- A street's settings (积分细则 and the like), a double-entry ledger written once for every
-- kind of value a street keeps account of (public-welfare points today, the fund next), and
-- the points' rewards and redemptions.
--
-- The ledger: accounts carry their running `balance` (posted) and `held` (pending debits),
-- changed in the same statement as the transfer that moves them; an account that may not go
-- below zero (a person's) has a CHECK that `balance - held` stays >= 0, so no interleaving of
-- transactions can ever spend the same points twice. Transfers never change but for their
-- status (pending → posted | voided); a correction is a new reversing transfer.
--
-- The points ledger of before (`points_ledger`, one signed row per credit) is carried over:
-- every row becomes a posted transfer between the street's issuing account and the person's
-- account (keeping its id, reason, source and time), and the accounts' balances are their sums.

CREATE TABLE street_settings (
    street_id                     text PRIMARY KEY REFERENCES streets (id),
    points_expiry                 text NOT NULL DEFAULT 'none' CHECK (points_expiry IN ('none', 'calendar_year')),
    points_expiry_grace_days      integer NOT NULL DEFAULT 0 CHECK (points_expiry_grace_days BETWEEN 0 AND 365),
    award_cap_per_leader_per_day  integer NOT NULL DEFAULT 100 CHECK (award_cap_per_leader_per_day >= 0),
    max_points_per_attendee       integer NOT NULL DEFAULT 50 CHECK (max_points_per_attendee >= 0),
    fund_two_approvers            boolean NOT NULL DEFAULT false,
    fund_street_signoff_above_fen bigint CHECK (fund_street_signoff_above_fen >= 0),
    fund_publicity_days           integer NOT NULL DEFAULT 3 CHECK (fund_publicity_days BETWEEN 0 AND 90),
    extra_talent_tags             jsonb NOT NULL DEFAULT '[]',
    created_at                    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at                    timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE ledger_accounts (
    id               text PRIMARY KEY,
    street_id        text NOT NULL REFERENCES streets (id),
    ledger           text NOT NULL,             -- points (the fund later)
    kind             text NOT NULL,             -- person | issuing
    owner_id         text NOT NULL,             -- the person; the street for its issuing account
    may_go_negative  boolean NOT NULL DEFAULT false,
    balance          bigint NOT NULL DEFAULT 0,
    held             bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT ledger_accounts_available CHECK (may_go_negative OR balance - held >= 0),
    UNIQUE (street_id, ledger, kind, owner_id)
);

CREATE TABLE ledger_transfers (
    id                 text PRIMARY KEY,
    street_id          text NOT NULL REFERENCES streets (id),
    ledger             text NOT NULL,
    debit_account_id   text NOT NULL REFERENCES ledger_accounts (id),
    credit_account_id  text NOT NULL REFERENCES ledger_accounts (id),
    amount             bigint NOT NULL CHECK (amount > 0),
    reason             text NOT NULL,
    source_type        text,
    source_id          text,
    note               text NOT NULL DEFAULT '',
    status             text NOT NULL CHECK (status IN ('pending', 'posted', 'voided')),
    reverses_id        text REFERENCES ledger_transfers (id),
    created_by         text,                     -- the person who typed the note (erasure finds it)
    created_at         timestamptz NOT NULL,
    resolved_at        timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (debit_account_id <> credit_account_id),
    CHECK ((status = 'pending') = (resolved_at IS NULL))
);
-- Each source moves value between two accounts at most once for a reason.
CREATE UNIQUE INDEX ledger_transfers_source_key
    ON ledger_transfers (reason, source_type, source_id, debit_account_id, credit_account_id)
    WHERE source_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_transfers_reverses_key ON ledger_transfers (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX ledger_transfers_debit_idx ON ledger_transfers (debit_account_id, created_at DESC, id DESC);
CREATE INDEX ledger_transfers_credit_idx ON ledger_transfers (credit_account_id, created_at DESC, id DESC);

-- Carry the old points over. Account ids derive from md5 (hex digits are in the id alphabet).
INSERT INTO ledger_accounts (id, street_id, ledger, kind, owner_id, may_go_negative)
SELECT DISTINCT 'lac_' || substr(md5('points:issuing:' || street_id), 1, 16), street_id, 'points', 'issuing',
       street_id, true
  FROM points_ledger;
INSERT INTO ledger_accounts (id, street_id, ledger, kind, owner_id)
SELECT DISTINCT 'lac_' || substr(md5('points:person:' || street_id || ':' || person_id), 1, 16), street_id,
       'points', 'person', person_id
  FROM points_ledger;
INSERT INTO ledger_transfers (id, street_id, ledger, debit_account_id, credit_account_id, amount, reason,
                              source_type, source_id, status, created_at, resolved_at)
SELECT p.id, p.street_id, 'points',
       CASE WHEN p.delta > 0 THEN issuing ELSE person END,
       CASE WHEN p.delta > 0 THEN person ELSE issuing END,
       abs(p.delta), p.reason, p.source_type, p.source_id, 'posted', p.created_at, p.created_at
  FROM points_ledger p,
       LATERAL (SELECT 'lac_' || substr(md5('points:issuing:' || p.street_id), 1, 16) AS issuing,
                       'lac_' || substr(md5('points:person:' || p.street_id || ':' || p.person_id), 1, 16)
                           AS person) a
 WHERE p.delta <> 0;
UPDATE ledger_accounts a
   SET balance = coalesce((SELECT sum(amount) FROM ledger_transfers WHERE credit_account_id = a.id), 0)
               - coalesce((SELECT sum(amount) FROM ledger_transfers WHERE debit_account_id = a.id), 0)
 WHERE ledger = 'points';
DROP TABLE points_ledger;

-- Leaderboards are opt-in.
ALTER TABLE persons ADD COLUMN show_on_leaderboard boolean NOT NULL DEFAULT false;

CREATE TABLE rewards (
    id                        text PRIMARY KEY,
    street_id                 text NOT NULL REFERENCES streets (id),
    community_id              text REFERENCES communities (id),   -- NULL: the street's catalogue
    name                      text NOT NULL,
    description               text NOT NULL DEFAULT '',
    cost_points               integer NOT NULL CHECK (cost_points > 0),
    stock                     integer NOT NULL CHECK (stock >= 0),  -- what is left to redeem
    limit_per_person          integer CHECK (limit_per_person > 0),
    provider_organization_id  text REFERENCES organizations (id),
    hold_days                 integer NOT NULL DEFAULT 14 CHECK (hold_days BETWEEN 1 AND 365),
    active                    boolean NOT NULL DEFAULT true,
    created_at                timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at                timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX rewards_page_idx ON rewards (street_id, community_id, created_at DESC, id DESC);

CREATE TABLE redemptions (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    community_id  text REFERENCES communities (id),
    reward_id     text NOT NULL REFERENCES rewards (id),
    person_id     text NOT NULL REFERENCES persons (id),
    transfer_id   text NOT NULL REFERENCES ledger_transfers (id),
    cost_points   integer NOT NULL,
    pickup_code   text NOT NULL,
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'fulfilled', 'cancelled', 'expired')),
    expires_at    timestamptz NOT NULL,
    fulfilled_at  timestamptz,
    cancelled_at  timestamptz,
    expired_at    timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX redemptions_person_idx ON redemptions (person_id, created_at DESC, id DESC);
CREATE INDEX redemptions_reward_idx ON redemptions (reward_id, person_id) WHERE status IN ('pending', 'fulfilled');

-- migrate:down
DROP TABLE redemptions;
DROP TABLE rewards;
ALTER TABLE persons DROP COLUMN show_on_leaderboard;
CREATE TABLE points_ledger (
    id           text PRIMARY KEY,
    street_id    text NOT NULL REFERENCES streets (id),
    person_id    text NOT NULL REFERENCES persons (id),
    delta        integer NOT NULL,
    reason       text NOT NULL,
    source_type  text,
    source_id    text,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX points_ledger_person_idx ON points_ledger (person_id, street_id);
DROP TABLE ledger_transfers;
DROP TABLE ledger_accounts;
DROP TABLE street_settings;
