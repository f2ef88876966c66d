-- migrate:up
-- A building's two documents (居民公约 and 议事规则), their versions adopted by vote, and the
-- amendments proposals carry. A document row exists once anything concerns it; it is the row
-- an amendment locks (FOR UPDATE) when its vote opens and when it is adopted, and it holds
-- the number in force, so two amendments on the same base can never both be adopted.
CREATE TABLE documents (
    id                 text PRIMARY KEY,
    street_id          text NOT NULL REFERENCES streets (id),
    community_id       text NOT NULL REFERENCES communities (id),
    building_id        text NOT NULL REFERENCES buildings (id),
    kind               text NOT NULL CHECK (kind IN ('convention', 'rules_of_procedure')),
    number_in_force    integer NOT NULL DEFAULT 0 CHECK (number_in_force >= 0),
    created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (building_id, kind)
);

CREATE TABLE document_versions (
    id                      text PRIMARY KEY,
    street_id               text NOT NULL REFERENCES streets (id),
    community_id            text NOT NULL REFERENCES communities (id),
    building_id             text NOT NULL REFERENCES buildings (id),
    document_id             text NOT NULL REFERENCES documents (id),
    kind                    text NOT NULL CHECK (kind IN ('convention', 'rules_of_procedure')),
    number                  integer NOT NULL CHECK (number >= 1),
    text                    text NOT NULL,
    parameters              jsonb,
    CHECK ((kind = 'rules_of_procedure') = (parameters IS NOT NULL)),
    adopted_at              timestamptz NOT NULL,
    adopted_by_proposal_id  text REFERENCES proposals (id),
    filed_at                timestamptz,
    filed_by                text,
    created_at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (document_id, number),
    UNIQUE (adopted_by_proposal_id)
);
CREATE INDEX document_versions_page_idx ON document_versions (document_id, created_at DESC, id DESC);

-- A proposal's kind; an amendment proposal carries its amendment {document, base_number, text,
-- parameters} (parameters complete, resolved when it was raised).
ALTER TABLE proposals ADD COLUMN kind text NOT NULL DEFAULT 'general'
    CHECK (kind IN ('general', 'document_amendment'));
ALTER TABLE proposals ADD COLUMN amendment jsonb;
ALTER TABLE proposals ADD CONSTRAINT proposals_amendment_kind_check
    CHECK ((kind = 'document_amendment') = (amendment IS NOT NULL));
-- At most one amendment of a building's document is being voted on at a time.
CREATE UNIQUE INDEX proposals_one_amendment_vote_idx ON proposals (building_id, (amendment->>'document'))
    WHERE kind = 'document_amendment' AND stage = 'voting';

-- migrate:down
DROP INDEX proposals_one_amendment_vote_idx;
ALTER TABLE proposals DROP CONSTRAINT proposals_amendment_kind_check;
ALTER TABLE proposals DROP COLUMN amendment;
ALTER TABLE proposals DROP COLUMN kind;
DROP TABLE document_versions;
DROP TABLE documents;
