-- migrate:up
-- Three lists (需求 · 资源 · 项目清单) and co-building agreements (共建协议): the community
-- spec's §14. A need is matched to at most one project (needs.project_id); a project names
-- the buildings it concerns, the resources and the organisations it draws on.

CREATE TABLE needs (
    id              text PRIMARY KEY,
    street_id       text NOT NULL REFERENCES streets (id),
    community_id    text NOT NULL REFERENCES communities (id),
    building_id     text REFERENCES buildings (id),
    raised_by_type  text NOT NULL CHECK (raised_by_type IN ('person', 'client')),
    raised_by_id    text NOT NULL,
    title           text NOT NULL,
    description     text NOT NULL DEFAULT '',
    category        text NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'matched', 'met', 'closed')),
    project_id      text,
    reason          text,
    reason_by       text,  -- the person who typed reason (erased with them)
    matched_at      timestamptz,
    met_at          timestamptz,
    closed_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((status IN ('matched', 'met')) = (project_id IS NOT NULL))
);
CREATE INDEX needs_page_idx ON needs (street_id, community_id, created_at DESC, id DESC);
CREATE INDEX needs_changed_idx ON needs (street_id, community_id, updated_at, id);
CREATE INDEX needs_project_idx ON needs (project_id) WHERE project_id IS NOT NULL;
CREATE INDEX needs_raised_by_idx ON needs (raised_by_id);

CREATE TABLE partner_resources (
    id               text PRIMARY KEY,
    street_id        text NOT NULL REFERENCES streets (id),
    community_id     text NOT NULL REFERENCES communities (id),
    organization_id  text NOT NULL REFERENCES organizations (id),
    kind             text NOT NULL CHECK (kind IN ('venue', 'volunteers', 'funding', 'expertise', 'goods')),
    description      text NOT NULL,
    capacity         integer CHECK (capacity >= 0),
    available_from   date,
    available_until  date,
    status           text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'withdrawn')),
    created_by_type  text NOT NULL,
    created_by_id    text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (available_from IS NULL OR available_until IS NULL OR available_from <= available_until)
);
CREATE INDEX partner_resources_page_idx ON partner_resources (street_id, community_id, created_at DESC, id DESC);
CREATE INDEX partner_resources_changed_idx ON partner_resources (street_id, community_id, updated_at, id);

CREATE TABLE projects (
    id                text PRIMARY KEY,
    street_id         text NOT NULL REFERENCES streets (id),
    community_id      text NOT NULL REFERENCES communities (id),
    title             text NOT NULL,
    description       text NOT NULL DEFAULT '',
    building_ids      text[] NOT NULL DEFAULT '{}',
    resource_ids      text[] NOT NULL DEFAULT '{}',
    organization_ids  text[] NOT NULL DEFAULT '{}',
    status            text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'active', 'completed')),
    created_by_type   text NOT NULL,
    created_by_id     text,
    active_at         timestamptz,
    completed_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX projects_page_idx ON projects (street_id, community_id, created_at DESC, id DESC);
CREATE INDEX projects_changed_idx ON projects (street_id, community_id, updated_at, id);
ALTER TABLE needs ADD CONSTRAINT needs_project_fkey FOREIGN KEY (project_id) REFERENCES projects (id);

CREATE TABLE agreements (
    id                       text PRIMARY KEY,
    street_id                text NOT NULL REFERENCES streets (id),
    community_id             text NOT NULL REFERENCES communities (id),
    building_id              text REFERENCES buildings (id),
    organization_id          text NOT NULL REFERENCES organizations (id),
    title                    text NOT NULL,
    commitments              jsonb NOT NULL DEFAULT '[]',
    starts_on                date NOT NULL,
    ends_on                  date NOT NULL,
    status                   text NOT NULL DEFAULT 'draft'
                             CHECK (status IN ('draft', 'signed', 'active', 'expired', 'terminated')),
    community_signed_by      text,
    community_signed_at      timestamptz,
    organization_signed_by   text,
    organization_signed_at   timestamptz,
    reason                   text,
    reason_by                text,
    created_by_type          text NOT NULL,
    created_by_id            text,
    signed_at                timestamptz,
    active_at                timestamptz,
    expiring_at              timestamptz,  -- when agreement.expiring was raised (once)
    expired_at               timestamptz,
    terminated_at            timestamptz,
    created_at               timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at               timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (starts_on <= ends_on),
    CHECK (status = 'draft' OR status = 'terminated' OR (community_signed_at IS NOT NULL AND organization_signed_at IS NOT NULL))
);
CREATE INDEX agreements_page_idx ON agreements (street_id, community_id, created_at DESC, id DESC);
CREATE INDEX agreements_changed_idx ON agreements (street_id, community_id, updated_at, id);

-- migrate:down
DROP TABLE agreements;
ALTER TABLE needs DROP CONSTRAINT needs_project_fkey;
DROP TABLE projects;
DROP TABLE partner_resources;
DROP TABLE needs;
