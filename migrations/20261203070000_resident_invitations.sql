-- migrate:up
-- Resident invitations by import (the `residents` kind): the street platform names a household
-- and a phone number; the person who later verifies that number through WeChat joins the
-- household. The number is kept only as an HMAC (keyed by the service's data key, never in the
-- database), so a copy of the database does not reveal who lives where. Not redeemed within 90
-- days, an invitation is deleted by the worker.
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('communities', 'buildings', 'households', 'residents'));

CREATE TABLE resident_invitations (
    id             text PRIMARY KEY,
    street_id      text NOT NULL REFERENCES streets (id),
    external_id    text NOT NULL,
    community_id   text NOT NULL REFERENCES communities (id),
    building_id    text NOT NULL REFERENCES buildings (id),
    household_id   text NOT NULL REFERENCES households (id),
    phone_digest   bytea NOT NULL CHECK (octet_length(phone_digest) = 32),
    role           text NOT NULL CHECK (role IN ('owner', 'tenant', 'family')),
    head           boolean NOT NULL DEFAULT false,
    import_id      text REFERENCES imports (id) ON DELETE SET NULL,
    expires_at     timestamptz NOT NULL,
    redeemed_at    timestamptz,
    person_id      text REFERENCES persons (id),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (street_id, external_id),
    CHECK ((redeemed_at IS NULL) = (person_id IS NULL))
);
-- A verified number finds its open invitations in its street with one index probe.
CREATE INDEX resident_invitations_phone_idx ON resident_invitations (street_id, phone_digest)
    WHERE redeemed_at IS NULL;
-- The worker's sweep of the expired ones.
CREATE INDEX resident_invitations_expiry_idx ON resident_invitations (expires_at) WHERE redeemed_at IS NULL;

-- migrate:down
DROP TABLE resident_invitations;
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('communities', 'buildings', 'households'));
