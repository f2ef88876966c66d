-- migrate:up
-- The foundation: streets (the tenants), platform clients, places, the event outbox
-- and idempotency records. Every tenant table carries street_id so that every query
-- can be street-scoped (and, at scale, distributed on it).

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE streets (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    timezone    text NOT NULL DEFAULT 'Asia/Shanghai',
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX streets_name_key ON streets (name);

CREATE TABLE clients (
    id             text PRIMARY KEY,
    street_id      text NOT NULL REFERENCES streets (id),
    kind           text NOT NULL CHECK (kind IN ('platform', 'miniprogram')),
    name           text NOT NULL,
    -- SHA-256 of the secret: the secret is 256 random bits, so a fast digest is safe.
    secret_digest  bytea NOT NULL,
    scopes         text[] NOT NULL DEFAULT '{}',
    disabled_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX clients_street_idx ON clients (street_id);

CREATE TABLE communities (
    id           text PRIMARY KEY,
    street_id    text NOT NULL REFERENCES streets (id),
    name         text NOT NULL,
    external_id  text,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX communities_external_id_key ON communities (street_id, external_id);
CREATE INDEX communities_page_idx ON communities (street_id, created_at DESC, id DESC);
CREATE INDEX communities_sync_idx ON communities (street_id, updated_at, id);

CREATE TABLE buildings (
    id             text PRIMARY KEY,
    street_id      text NOT NULL REFERENCES streets (id),
    community_id   text NOT NULL REFERENCES communities (id),
    name           text NOT NULL,
    address        text NOT NULL DEFAULT '',
    compound_name  text,
    floors         integer CHECK (floors BETWEEN 1 AND 200),
    units          integer CHECK (units BETWEEN 1 AND 100),
    external_id    text,
    rules          jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX buildings_external_id_key ON buildings (street_id, external_id);
CREATE INDEX buildings_page_idx ON buildings (street_id, created_at DESC, id DESC);
CREATE INDEX buildings_community_page_idx ON buildings (community_id, created_at DESC, id DESC);
CREATE INDEX buildings_sync_idx ON buildings (street_id, updated_at, id);

CREATE TABLE households (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    community_id  text NOT NULL REFERENCES communities (id),
    building_id   text NOT NULL REFERENCES buildings (id),
    unit_label    text NOT NULL,
    area_m2       numeric(10, 2) NOT NULL CHECK (area_m2 >= 0),
    votes         boolean NOT NULL DEFAULT true,
    external_id   text,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX households_unit_label_key ON households (building_id, unit_label);
CREATE UNIQUE INDEX households_external_id_key ON households (street_id, external_id);
CREATE INDEX households_building_page_idx ON households (building_id, created_at DESC, id DESC);
CREATE INDEX households_sync_idx ON households (street_id, updated_at, id);

-- The transactional outbox: every write appends its event in its own transaction.
-- txid records the writing transaction so a feed reader can hold back events of
-- transactions still in flight (sequence values commit out of order).
CREATE TABLE events (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            text NOT NULL UNIQUE,
    street_id     text NOT NULL REFERENCES streets (id),
    type          text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    community_id  text,
    building_id   text,
    subject_type  text NOT NULL,
    subject_id    text NOT NULL,
    data          jsonb NOT NULL DEFAULT '{}',
    txid          xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX events_street_seq_idx ON events (street_id, seq);

-- Idempotency-Key records, written in the same transaction as the change they protect.
-- The stored response body is encrypted with the service's data key (it may hold a
-- one-time secret).
CREATE TABLE idempotency_keys (
    caller          text NOT NULL,
    key             text NOT NULL,
    street_id       text NOT NULL REFERENCES streets (id),
    request_digest  bytea NOT NULL,
    status          integer NOT NULL,
    headers         jsonb NOT NULL DEFAULT '{}',
    body_sealed     bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

-- migrate:down
DROP TABLE idempotency_keys;
DROP TABLE events;
DROP TABLE households;
DROP TABLE buildings;
DROP TABLE communities;
DROP TABLE clients;
DROP TABLE streets;
