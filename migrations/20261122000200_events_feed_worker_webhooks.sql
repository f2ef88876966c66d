-- migrate:up
-- The event feed, the worker's tables (due jobs, webhook endpoints and deliveries) and the
-- test clock.

-- Feed positions. Sequence values (seq) are taken at insert but commit out of order, so a
-- reader paging by seq could pass a number whose transaction commits later. Instead one
-- relay at a time numbers committed events after the fact (position, NULL until then):
-- positions only grow, and a relay's numbers become visible together at its commit, so a
-- reader paging by position never skips an event and never sees one twice.
ALTER TABLE events ADD COLUMN position bigint;
CREATE UNIQUE INDEX events_street_position_key ON events (street_id, position);
CREATE INDEX events_unnumbered_idx ON events (seq) WHERE position IS NULL;
CREATE INDEX events_occurred_idx ON events (occurred_at);

-- The relay's high-water mark, and its lock: a relay locks this one row (SKIP LOCKED, so a
-- second relay just skips its turn), which serialises the relays but never the writers.
CREATE TABLE event_relay (
    id             boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_position  bigint NOT NULL DEFAULT 0,
    relayed_at     timestamptz
);
INSERT INTO event_relay DEFAULT VALUES;

-- The test clock (test and development configurations only): business time is real time
-- plus this offset, shared by every process through the database. Forward only.
CREATE TABLE test_clock (
    id              boolean PRIMARY KEY DEFAULT true CHECK (id),
    offset_seconds  bigint NOT NULL DEFAULT 0 CHECK (offset_seconds >= 0),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
INSERT INTO test_clock DEFAULT VALUES;

-- Due jobs: a generic "run this at that business time" queue. A worker claims a job with
-- FOR UPDATE SKIP LOCKED and runs its handler in the same transaction, so the job's effects
-- and its completion commit together (or not at all, when the worker dies).
CREATE TABLE jobs (
    id          text PRIMARY KEY,
    street_id   text REFERENCES streets (id),
    kind        text NOT NULL,
    run_at      timestamptz NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}',
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text,
    dedupe_key  text,
    done_at     timestamptz,
    done_by     text,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX jobs_dedupe_key ON jobs (dedupe_key);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status = 'pending';
CREATE INDEX jobs_finished_idx ON jobs (updated_at) WHERE status <> 'pending';

-- Webhook endpoints of a street. The signing secret must be readable to sign, so it is
-- sealed (AES-GCM with the data key), never stored in the clear; during a rotation's overlap
-- the previous secret signs too.
CREATE TABLE webhook_endpoints (
    id                          text PRIMARY KEY,
    street_id                   text NOT NULL REFERENCES streets (id),
    url                         text NOT NULL,
    description                 text NOT NULL DEFAULT '',
    event_types                 text[] NOT NULL DEFAULT '{}',
    secret_sealed               bytea NOT NULL,
    previous_secret_sealed      bytea,
    previous_secret_expires_at  timestamptz,
    enabled                     boolean NOT NULL DEFAULT true,
    disabled_reason             text CHECK (disabled_reason IN ('gone', 'repeated_failure', 'manual')),
    disabled_at                 timestamptz,
    failing_since               timestamptz,
    deleted_at                  timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at                  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX webhook_endpoints_page_idx ON webhook_endpoints (street_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;
CREATE INDEX webhook_endpoints_sync_idx ON webhook_endpoints (street_id, updated_at, id)
    WHERE deleted_at IS NULL;
CREATE INDEX webhook_endpoints_fanout_idx ON webhook_endpoints (street_id)
    WHERE enabled AND deleted_at IS NULL;

-- One delivery per (event, endpoint), created by the relay in the transaction that numbers
-- the event, so nothing is lost between the feed and the webhooks. Its id is the
-- webhook-id header, the same on every attempt. Schedule times are business time.
CREATE TABLE webhook_deliveries (
    id                text PRIMARY KEY,
    street_id         text NOT NULL REFERENCES streets (id),
    endpoint_id       text NOT NULL REFERENCES webhook_endpoints (id),
    event_id          text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    event_type        text NOT NULL,
    status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz,
    first_attempt_at  timestamptz,
    last_attempt_at   timestamptz,
    last_status_code  integer,
    last_error        text,
    log               jsonb NOT NULL DEFAULT '[]',
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX webhook_deliveries_event_endpoint_key ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_page_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_sync_idx ON webhook_deliveries (endpoint_id, updated_at, id);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

-- migrate:down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE jobs;
DROP TABLE test_clock;
DROP TABLE event_relay;
DROP INDEX events_occurred_idx;
DROP INDEX events_unnumbered_idx;
DROP INDEX events_street_position_key;
ALTER TABLE events DROP COLUMN position;
