-- migrate:up
-- People and their places: persons (global, one per WeChat identity), their memberships
-- of households and roles on scopes (street rows), invites, organisations, refresh
-- tokens, the audit log of personal-data reads, and the points ledger.

-- Mini-program clients carry their WeChat appid and the app secret, sealed with the data key.
ALTER TABLE clients ADD COLUMN appid text;
ALTER TABLE clients ADD COLUMN app_secret_sealed bytea;
ALTER TABLE clients ALTER COLUMN secret_digest DROP NOT NULL;
ALTER TABLE clients ADD CONSTRAINT clients_kind_credentials CHECK (
    (kind = 'platform' AND secret_digest IS NOT NULL)
    OR (kind = 'miniprogram' AND appid IS NOT NULL AND app_secret_sealed IS NOT NULL));
CREATE UNIQUE INDEX clients_appid_key ON clients (appid) WHERE disabled_at IS NULL;

-- A person is global: one WeChat identity may live in several streets.
CREATE TABLE persons (
    id          text PRIMARY KEY,
    nickname    text,
    real_name   text,
    phone       text,
    erased_at   timestamptz,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE wechat_identities (
    appid       text NOT NULL,
    openid      text NOT NULL,
    unionid     text,
    person_id   text NOT NULL REFERENCES persons (id),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (appid, openid)
);
CREATE INDEX wechat_identities_unionid_idx ON wechat_identities (unionid) WHERE unionid IS NOT NULL;
CREATE INDEX wechat_identities_person_idx ON wechat_identities (person_id);

CREATE TABLE memberships (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    community_id  text NOT NULL REFERENCES communities (id),
    building_id   text NOT NULL REFERENCES buildings (id),
    household_id  text NOT NULL REFERENCES households (id),
    person_id     text NOT NULL REFERENCES persons (id),
    role          text NOT NULL CHECK (role IN ('owner', 'tenant', 'family')),
    head          boolean NOT NULL DEFAULT false,
    joined_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    left_at       timestamptz,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- One live membership per person and household; one head per household.
CREATE UNIQUE INDEX memberships_live_key ON memberships (household_id, person_id) WHERE left_at IS NULL;
CREATE UNIQUE INDEX memberships_one_head_key ON memberships (household_id) WHERE head AND left_at IS NULL;
CREATE INDEX memberships_person_idx ON memberships (person_id) WHERE left_at IS NULL;
CREATE INDEX memberships_building_idx ON memberships (building_id, created_at DESC, id DESC) WHERE left_at IS NULL;

-- Household invites: one-time codes, stored as SHA-256 digests.
CREATE TABLE household_invites (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    household_id  text NOT NULL REFERENCES households (id),
    code_digest   bytea NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('owner', 'tenant', 'family')),
    head          boolean NOT NULL DEFAULT false,
    created_by    text NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    used_by       text REFERENCES persons (id),
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE organizations (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    community_id  text REFERENCES communities (id),
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('property_company', 'owners_committee',
                                                'volunteer_team', 'partner_unit')),
    external_id   text,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX organizations_external_id_key ON organizations (street_id, external_id);
CREATE INDEX organizations_page_idx ON organizations (street_id, created_at DESC, id DESC);

-- Roles held on a scope. scope_id is the building, community, street or organisation.
CREATE TABLE roles (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    person_id     text NOT NULL REFERENCES persons (id),
    role          text NOT NULL CHECK (role IN ('building_leader', 'community_staff',
                                                'street_officer', 'organization_member')),
    scope_type    text NOT NULL CHECK (scope_type IN ('building', 'community', 'street', 'organization')),
    scope_id      text NOT NULL,
    community_id  text REFERENCES communities (id),
    building_id   text REFERENCES buildings (id),
    granted_by    text NOT NULL,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX roles_live_key ON roles (person_id, role, scope_id) WHERE revoked_at IS NULL;
CREATE INDEX roles_person_idx ON roles (person_id) WHERE revoked_at IS NULL;
CREATE INDEX roles_scope_idx ON roles (scope_id, created_at DESC, id DESC) WHERE revoked_at IS NULL;

-- Role invites: a role for someone not yet known, granted when the code is redeemed.
CREATE TABLE role_invites (
    id            text PRIMARY KEY,
    street_id     text NOT NULL REFERENCES streets (id),
    role          text NOT NULL,
    scope_type    text NOT NULL,
    scope_id      text NOT NULL,
    community_id  text REFERENCES communities (id),
    building_id   text REFERENCES buildings (id),
    code_digest   bytea NOT NULL UNIQUE,
    created_by    text NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    used_by       text REFERENCES persons (id),
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Refresh tokens rotate: each works once; presenting a used one revokes its family.
CREATE TABLE refresh_tokens (
    id            text PRIMARY KEY,
    family_id     text NOT NULL,
    person_id     text NOT NULL REFERENCES persons (id),
    client_id     text NOT NULL REFERENCES clients (id),
    street_id     text NOT NULL REFERENCES streets (id),
    token_digest  bytea NOT NULL UNIQUE,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_person_idx ON refresh_tokens (person_id) WHERE revoked_at IS NULL;

-- Every read of personal data in full (real name, phone) by staff, queryable by the street.
CREATE TABLE audit_log (
    id             text PRIMARY KEY,
    street_id      text NOT NULL REFERENCES streets (id),
    actor_client   text NOT NULL,
    actor_person   text,
    action         text NOT NULL,
    subject_type   text NOT NULL,
    subject_id     text NOT NULL,
    fields         text[] NOT NULL DEFAULT '{}',
    request_id     text,
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- entries never change; the column lets the audit list page like every other list
    updated_at     timestamptz GENERATED ALWAYS AS (created_at) STORED
);
CREATE INDEX audit_log_page_idx ON audit_log (street_id, created_at DESC, id DESC);

-- Public-welfare points (公益积分): a ledger; the balance is its sum.
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

-- migrate:down
DROP TABLE points_ledger;
DROP TABLE audit_log;
DROP TABLE refresh_tokens;
DROP TABLE role_invites;
DROP TABLE roles;
DROP TABLE organizations;
DROP TABLE household_invites;
DROP TABLE memberships;
DROP TABLE wechat_identities;
DROP TABLE persons;
ALTER TABLE clients DROP CONSTRAINT clients_kind_credentials;
DROP INDEX clients_appid_key;
ALTER TABLE clients ALTER COLUMN secret_digest SET NOT NULL;
ALTER TABLE clients DROP COLUMN app_secret_sealed;
ALTER TABLE clients DROP COLUMN appid;
